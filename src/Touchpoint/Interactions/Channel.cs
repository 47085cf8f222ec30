namespace Touchpoint.Interactions;

/// <summary>Where a contact happened. Stored by name so rules and exports read naturally.</summary>
public enum Channel
{
    Phone,
    Email,
    Chat,
    Sms,
    Social,
    SelfService,
    InApp,
    Bot,
}

public enum Direction
{
    Inbound,
    Outbound,
}

public enum Outcome
{
    Resolved,
    Unresolved,
    Escalated,
    Abandoned,
    FollowUp,
}

public enum MessageAuthor
{
    Customer,
    Agent,
    Bot,
    System,
}

public static class ChannelNames
{
    public static string ToKey(this Channel channel) => channel switch
    {
        Channel.Phone => "phone",
        Channel.Email => "email",
        Channel.Chat => "chat",
        Channel.Sms => "sms",
        Channel.Social => "social",
        Channel.SelfService => "self-service",
        Channel.InApp => "in-app",
        Channel.Bot => "bot",
    };
}
