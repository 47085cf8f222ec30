namespace Touchpoint.Feedback;

public enum FeedbackKind
{
    Nps,
    Csat,
    Ces,
}

/// <summary>
/// A score a customer gave (NPS 0-10, CSAT 1-5, CES 1-7), from Touchpoint's own surveys or piped in
/// from another tool; the agent context shows the latest ones.
/// </summary>
public sealed class FeedbackResponse
{
    public long Id { get; set; }
    public required string ExternalId { get; set; }
    public long CustomerId { get; set; }
    public long? InteractionId { get; set; }
    public FeedbackKind Kind { get; set; }
    public int Score { get; set; }
    public string? Comment { get; set; }
    public DateTime RespondedAt { get; set; }

    public static (int Min, int Max) Range(FeedbackKind kind) => kind switch
    {
        FeedbackKind.Nps => (0, 10),
        FeedbackKind.Csat => (1, 5),
        FeedbackKind.Ces => (1, 7),
    };
}
