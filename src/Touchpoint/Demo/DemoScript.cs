using Touchpoint.Interactions;

namespace Touchpoint.Demo;

/// <summary>The contact reasons of a fictional telecom's contact center, with how customers and agents talk about them.</summary>
internal sealed record DemoReason(
    string Name, string Queue, int Weight, double FirstContactResolution, Channel[] Channels,
    string[] CustomerOpeners, string[] AgentReplies, string[] CustomerFollowUps, string[] Resolutions);

internal static class DemoScript
{
    public static readonly DemoReason[] Reasons =
    [
        new("billing question", "Billing", 18, 0.78, [Channel.Phone, Channel.Email, Channel.Chat, Channel.SelfService, Channel.Bot],
            ["Hi, my bill this month is higher than usual and I don't understand why.", "Can you explain the extra charge of 12.99 on my invoice?", "I was charged twice for the same month."],
            ["Thanks for reaching out, let me look at your invoice.", "I can see the charge, it comes from a roaming package.", "I see the duplicate charge on your account."],
            ["I never used roaming, that's not right.", "OK, but why did nobody tell me?", "This is the second time this happens."],
            ["I've credited the amount back, you will see it on your next bill.", "I've removed the charge and added a note to your account.", "The refund is on its way, 3-5 business days."]),
        new("payment failed", "Billing", 8, 0.7, [Channel.Phone, Channel.Chat, Channel.InApp, Channel.Sms],
            ["My card payment failed and now I got a warning.", "The app says my payment was declined but my card works."],
            ["Sorry about that, let me check the payment log.", "I can see the declined attempt from yesterday."],
            ["Please don't suspend my line, I need it for work."],
            ["I've retried the payment and it went through.", "I updated the card on file and cleared the warning."]),
        new("plan change", "Sales", 9, 0.88, [Channel.Phone, Channel.Chat, Channel.SelfService, Channel.InApp],
            ["I'd like to upgrade to the premium plan.", "Can I switch to a cheaper plan? I don't use all my data."],
            ["Happy to help with that!", "Let me show you the plans available for your account."],
            ["Does the new plan include TV?"],
            ["Done, your new plan starts on the first of next month.", "You're all set, the change is effective today."]),
        new("cancellation", "Retention", 5, 0.55, [Channel.Phone, Channel.Email, Channel.Chat],
            ["I want to cancel my contract.", "I'm moving to another provider, how do I cancel?", "Your service has been terrible, I want to cancel."],
            ["I'm sorry to hear that. May I ask what made you decide to leave?", "I understand. Before we proceed, can I offer you a discount?"],
            ["The price went up again and the internet keeps dropping.", "I've called three times about the same problem."],
            ["I've applied a 20% loyalty discount for 12 months.", "I've processed the cancellation, you'll receive a confirmation email."]),
        new("internet outage", "Tech Support", 12, 0.62, [Channel.Phone, Channel.Chat, Channel.Social, Channel.Sms, Channel.Bot],
            ["My internet has been down since this morning.", "No connection at all, the router light is red.", "Is there an outage in my area?"],
            ["I'm sorry for the trouble. Let me run a line test.", "There is a known outage in your area, our technicians are on it."],
            ["It's still not working and I work from home.", "This is unacceptable, it's the third outage this month."],
            ["The line is back up, I can see the router online now.", "I've booked a technician visit for tomorrow morning."]),
        new("slow internet", "Tech Support", 9, 0.6, [Channel.Phone, Channel.Chat, Channel.Email, Channel.SelfService],
            ["My internet is very slow in the evenings.", "I pay for 500 Mbit but I get 40."],
            ["Let me check your line quality.", "Could you restart the router while I run a test?"],
            ["I already restarted it twice."],
            ["I've changed your channel settings, the speed should be back to normal.", "I reset your line profile, please test again in 10 minutes."]),
        new("device setup", "Tech Support", 7, 0.8, [Channel.Chat, Channel.Phone, Channel.SelfService, Channel.Bot, Channel.InApp],
            ["How do I set up the new router?", "My TV box doesn't find the network."],
            ["Sure, let's do it step by step.", "Please press the WPS button on the router for three seconds."],
            ["The light is blinking green now."],
            ["Great, you're connected!", "Perfect, the setup is complete."]),
        new("password reset", "General", 8, 0.95, [Channel.SelfService, Channel.Bot, Channel.Chat, Channel.Email],
            ["I forgot my password for the customer portal.", "I'm locked out of my account."],
            ["I've sent a reset link to your email address.", "Let me verify your identity first."],
            ["The link expired."],
            ["I've sent a new link, it is valid for 24 hours.", "Your account is unlocked."]),
        new("delivery status", "General", 6, 0.85, [Channel.Email, Channel.Chat, Channel.Sms, Channel.Social, Channel.Bot],
            ["Where is my new phone? I ordered it a week ago.", "The tracking hasn't updated in four days."],
            ["Let me check the shipment for you.", "I can see the parcel is at the local depot."],
            ["Can you make sure it arrives before Friday?"],
            ["It will be delivered tomorrow between 9 and 12.", "I've escalated it to the courier, you'll get an SMS update."]),
        new("refund request", "Billing", 5, 0.65, [Channel.Email, Channel.Phone, Channel.Chat],
            ["I returned the device two weeks ago and still have no refund.", "I want my money back for the days without service."],
            ["I'm sorry for the wait, let me look into the return.", "You are entitled to a credit for the outage days."],
            ["Please hurry, it's a lot of money."],
            ["The refund has been approved.", "I've added the credit to your account."]),
        new("complaint", "Retention", 5, 0.45, [Channel.Email, Channel.Social, Channel.Phone],
            ["I'm really unhappy with how I was treated by your technician.", "Nobody ever calls back when they promise to.", "I will contact a lawyer if this isn't fixed."],
            ["I'm very sorry about this experience.", "Thank you for telling us, I'll make sure this is handled."],
            ["I've heard that before."],
            ["I've escalated this to the team lead who will call you tomorrow.", "I've added a goodwill credit and logged the complaint."]),
        new("roaming", "General", 4, 0.9, [Channel.Chat, Channel.InApp, Channel.Sms, Channel.Bot, Channel.SelfService],
            ["I'm travelling to Spain next week, does my plan work there?", "How much does data cost abroad?"],
            ["Your plan includes EU roaming at no extra cost.", "Let me activate the travel pass for you."],
            ["And for Turkey?"],
            ["The travel pass is active.", "You're all set for your trip."]),
        new("contract renewal", "Sales", 4, 0.85, [Channel.Phone, Channel.Email, Channel.InApp],
            ["My contract ends next month, what are my options?", "Can I get a new phone with my renewal?"],
            ["Thanks for staying with us! Let me see the offers for you.", "I can offer you the new model at a reduced price."],
            ["Is there anything cheaper?"],
            ["Your contract is renewed for 24 months.", "I've sent you the offer by email."]),
    ];

    public static readonly string[] FirstNames =
    [
        "Ada", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kira", "Liam", "Maya", "Noah", "Olga",
        "Pavel", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wen", "Xenia", "Yusuf", "Zoe", "Anna", "Boris", "Carla", "Dmitri",
        "Emma", "Felix", "Greta", "Hana", "Ivan", "Julia", "Karl", "Lena", "Marco", "Nina", "Oscar", "Petra", "Rafael", "Sofia", "Tomas",
    ];

    public static readonly string[] LastNames =
    [
        "Smith", "Ivanova", "Garcia", "Müller", "Rossi", "Novak", "Kowalski", "Johnson", "Petrov", "Silva", "Dubois", "Jensen", "Nowak",
        "Brown", "Kuznetsov", "Martin", "Lopez", "Schmidt", "Horvat", "Larsen", "Wilson", "Popescu", "Moreau", "Fischer", "Andersen",
        "Taylor", "Sokolova", "Fernandez", "Weber", "Costa",
    ];

    public static readonly (string City, string Country, string TimeZone)[] Cities =
    [
        ("London", "GB", "Europe/London"), ("Manchester", "GB", "Europe/London"), ("Berlin", "DE", "Europe/Berlin"),
        ("Munich", "DE", "Europe/Berlin"), ("Madrid", "ES", "Europe/Madrid"), ("Paris", "FR", "Europe/Paris"),
        ("Warsaw", "PL", "Europe/Warsaw"), ("Moscow", "RU", "Europe/Moscow"), ("New York", "US", "America/New_York"),
        ("Chicago", "US", "America/Chicago"), ("Toronto", "CA", "America/Toronto"), ("Lisbon", "PT", "Europe/Lisbon"),
    ];

    public static readonly string[] Products = ["mobile", "fiber", "tv", "landline", "cloud-backup", "security", "smart-home"];
    public static readonly string[] Plans = ["basic", "standard", "premium", "business"];
    public static readonly string[] Teams = ["Billing", "Tech Support", "Sales", "Retention", "General"];
}
