namespace Touchpoint.Customers.Segments;

/// <summary>The segments and personas a fresh installation starts with; they match the demo data's attributes and behaviour.</summary>
public static class DefaultSegments
{
    public static IReadOnlyList<SegmentDraft> All { get; } =
    [
        new("New premium", SegmentKind.Segment, "plan = \"premium\" and tenure_days < 90",
            "Premium customers in their first three months."),
        new("At-risk frequent contacters", SegmentKind.Segment, "contacts_30d >= 3 and (repeat_contacts_30d >= 1 or open_cases >= 1)",
            "Contacted us at least three times in 30 days and had to come back or still have an open case."),
        new("Business accounts", SegmentKind.Segment, "account_type = \"business\"",
            "Companies rather than consumers."),
        new("High value", SegmentKind.Segment, "revenue >= 1000 and account_status = \"active\"",
            "Active customers worth at least 1,000 a year."),
        new("Dormant", SegmentKind.Segment, "last_contact_days > 180",
            "No contact for half a year."),
        new("Digital native", SegmentKind.Persona,
            "preferred_channel in (\"chat\", \"in-app\", \"self-service\") or (age < 35 and preferred_channel != \"phone\")",
            "Prefers chat, the app or self-service; rarely calls."),
        new("Phone loyalist", SegmentKind.Persona, "preferred_channel = \"phone\" or age >= 60",
            "Calls when something is wrong and expects a person to answer."),
    ];
}
