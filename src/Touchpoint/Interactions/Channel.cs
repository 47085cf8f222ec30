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
    /// <summary>Parses the names people and files use for a channel ("phone", "voice", "web", "self-service").</summary>
    public static bool TryParse(string? text, out Channel channel)
    {
        channel = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var key = text.Trim().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
        switch (key)
        {
            case "phone" or "voice" or "call": channel = Channel.Phone; return true;
            case "email" or "mail": channel = Channel.Email; return true;
            case "chat" or "livechat" or "webchat": channel = Channel.Chat; return true;
            case "sms" or "text": channel = Channel.Sms; return true;
            case "social" or "twitter" or "facebook": channel = Channel.Social; return true;
            case "selfservice" or "web" or "webselfservice" or "portal": channel = Channel.SelfService; return true;
            case "inapp" or "app" or "mobile": channel = Channel.InApp; return true;
            case "bot" or "chatbot": channel = Channel.Bot; return true;
            default: return false;
        }
    }

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
