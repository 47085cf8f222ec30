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
    /// <summary>Parses the names people and files use for a channel ("phone", "voice", "web", "self-service"); see <see cref="ValueNames"/>.</summary>
    public static bool TryParse(string? text, out Channel channel) => ValueNames.TryParse(text, out channel);

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
