using System.Text.Json.Serialization;
using Touchpoint.Customers;
using Touchpoint.Import;
using Touchpoint.Storage;

namespace Touchpoint.Interactions;

/// <summary>
/// One interaction as a source system sends it (API, import file, twcs thread). The customer is named by any
/// identity it has; an unknown customer is created from the identities given.
/// </summary>
public sealed record InteractionInput
{
    public required string ExternalId { get; init; }
    public string? CustomerExternalId { get; init; }
    public string? CustomerEmail { get; init; }
    public string? CustomerPhone { get; init; }
    public string? CustomerSocialHandle { get; init; }
    public string? CustomerName { get; init; }

    /// <summary>Required in a body: left out it read as the first channel, and a contact of unknown channel was stored as a phone call.</summary>
    [JsonRequired]
    public Channel Channel { get; init; }
    public Direction Direction { get; init; }
    public DateTime StartedAt { get; init; }
    public DateTime? EndedAt { get; init; }

    public string? AgentExternalId { get; init; }
    public string? AgentName { get; init; }
    public string? Queue { get; init; }

    public int? FirstResponseSeconds { get; init; }
    public int TalkSeconds { get; init; }
    public int HoldSeconds { get; init; }
    public int WrapSeconds { get; init; }
    public int Transfers { get; init; }

    public string? Reason { get; init; }
    public Outcome Outcome { get; init; }
    public string? Subject { get; init; }
    public string? CaseExternalId { get; init; }

    public IReadOnlyList<MessageInput> Messages { get; init; } = [];

    /// <summary>
    /// A hash of everything the row says, transcript included, to tell a row given twice (a file joined to itself:
    /// a duplicate) from two rows with one external id and different contents (one of them is wrong). The record's own
    /// hash would count the transcript list by reference.
    /// </summary>
    public int ContentHash()
    {
        // Keys as they are stored, trimmed: " x-1 " and "x-1" are one contact, not two tellings of it.
        static string? Key(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        var hash = new HashCode();
        hash.Add(Key(ExternalId));
        hash.Add(Key(CustomerExternalId));
        hash.Add(Key(CustomerEmail));
        hash.Add(Key(CustomerPhone));
        hash.Add(CustomerSocialHandle);
        hash.Add(CustomerName);
        hash.Add(Channel);
        hash.Add(Direction);
        hash.Add(StartedAt);
        hash.Add(EndedAt);
        hash.Add(AgentExternalId);
        hash.Add(AgentName);
        hash.Add(Queue);
        hash.Add(FirstResponseSeconds);
        hash.Add(TalkSeconds);
        hash.Add(HoldSeconds);
        hash.Add(WrapSeconds);
        hash.Add(Transfers);
        hash.Add(Reason);
        hash.Add(Outcome);
        hash.Add(Subject);
        hash.Add(Key(CaseExternalId));
        foreach (var message in Messages)
        {
            hash.Add(message);
        }
        return hash.ToHashCode();
    }

    /// <summary>
    /// Problems that make the row unusable, each naming its field; empty when the row is valid. <paramref name="nowUtc"/>
    /// bounds the times: a contact that starts or ends after it (beyond <see cref="HappenedAt.Tolerance"/>) is refused.
    /// </summary>
    public IReadOnlyList<FieldError> Validate(DateTime nowUtc)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(ExternalId))
        {
            errors.Add(new("external_id", "is required"));
        }
        else
        {
            StoredLengths.Check(errors, "external_id", ExternalId, StoredLengths.ExternalId);
        }
        CustomerRef.Check(errors, CustomerExternalId, CustomerEmail, CustomerPhone, CustomerSocialHandle);
        if (StartedAt == default)
        {
            errors.Add(new("started_at", "is required"));
        }
        if (EndedAt is { } ended && ended < StartedAt)
        {
            errors.Add(new("ended_at", "is before started_at"));
        }
        HappenedAt.Check(errors, "started_at", StartedAt, nowUtc);
        HappenedAt.Check(errors, "ended_at", EndedAt, nowUtc);
        if (!Enum.IsDefined(Channel))
        {
            errors.Add(new("channel", "is not a known channel"));
        }
        StoredText.CheckNoNul(errors, [("external_id", ExternalId), ("customer_name", CustomerName), ("agent_external_id", AgentExternalId),
            ("agent_name", AgentName), ("queue", Queue), ("reason", Reason), ("subject", Subject), ("case_external_id", CaseExternalId)]);
        StoredLengths.Check(errors, "customer_name", CustomerName, StoredLengths.CustomerName);
        StoredLengths.Check(errors, "agent_external_id", AgentExternalId, StoredLengths.ExternalId);
        StoredLengths.Check(errors, "queue", Queue, StoredLengths.Queue);
        StoredLengths.Check(errors, "reason", Reason, StoredLengths.Reason);
        StoredLengths.Check(errors, "case_external_id", CaseExternalId, StoredLengths.ExternalId);
        InRange(errors, "first_response_seconds", FirstResponseSeconds ?? 0, MaxSeconds, " (366 days)");
        InRange(errors, "talk_seconds", TalkSeconds, MaxSeconds, " (366 days)");
        InRange(errors, "hold_seconds", HoldSeconds, MaxSeconds, " (366 days)");
        InRange(errors, "wrap_seconds", WrapSeconds, MaxSeconds, " (366 days)");
        InRange(errors, "transfers", Transfers, MaxTransfers, "");
        // JSON may say null for the list or for an item: refused here, not a NullReferenceException later.
        var messages = Messages ?? [];
        if (Messages is null)
        {
            errors.Add(new("messages", "must be a list (leave it out for none)"));
        }
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is null)
            {
                errors.Add(new($"messages[{i}]", "is null"));
            }
            else if (string.IsNullOrEmpty(messages[i].Text))
            {
                errors.Add(new($"messages[{i}].text", "is required"));
            }
            else
            {
                StoredText.CheckNoNul(errors, [($"messages[{i}].text", messages[i].Text)]);
            }
            if (messages[i] is { } message)
            {
                HappenedAt.Check(errors, $"messages[{i}].at", message.At, nowUtc);
            }
        }
        return errors;
    }

    /// <summary>
    /// The longest duration or wait a row may give. Talk + hold + wrap is the handle time every list shows, an int: two
    /// durations near int.MaxValue overflowed it, and the stored row made the lists and the context answer 500.
    /// </summary>
    public const int MaxSeconds = 366 * 24 * 60 * 60;

    /// <summary>Transfers add up per case, in an int.</summary>
    public const int MaxTransfers = 1000;

    private static void InRange(List<FieldError> errors, string field, int value, int max, string unit)
    {
        if (value < 0)
        {
            errors.Add(new(field, "must not be negative"));
        }
        else if (value > max)
        {
            errors.Add(new(field, $"must be at most {max}{unit}"));
        }
    }
}

public sealed record MessageInput(MessageAuthor Author, DateTime At, string Text);
