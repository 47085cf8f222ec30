namespace Touchpoint.Interactions;

/// <summary>
/// One interaction as lists show it (timeline, case, interaction list): its metadata, who handled it and the facts
/// derivation stored on it.
/// </summary>
public sealed record InteractionSummary(
    long Id,
    string ExternalId,
    long CustomerId,
    string? CustomerName,
    long? CaseId,
    Channel Channel,
    Direction Direction,
    DateTime StartedAt,
    DateTime? EndedAt,
    string? AgentName,
    string? Queue,
    string? Reason,
    string? Subject,
    Outcome Outcome,
    int? FirstResponseSeconds,
    long HandleSeconds,
    int Transfers,
    bool IsRepeat,
    bool FirstContactResolved,
    bool ChannelSwitch,
    bool? SlaMet);

internal static class InteractionSummaries
{
    /// <summary>Interactions started on UTC days <paramref name="from"/> to <paramref name="to"/>, both included; null means open.</summary>
    public static IQueryable<Interaction> StartedOnDays(this IQueryable<Interaction> interactions, DateOnly? from, DateOnly? to)
    {
        if (from is { } first)
        {
            var start = first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            interactions = interactions.Where(i => i.StartedAt >= start);
        }
        // The day after 9999-12-31 does not exist: that "to" bounds nothing.
        if (to is { } last && last < DateOnly.MaxValue)
        {
            var end = last.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            interactions = interactions.Where(i => i.StartedAt < end);
        }
        return interactions;
    }

    /// <summary>The projection every list uses; a left join to agents and customers by primary key, nothing else.</summary>
    public static IQueryable<InteractionSummary> ToSummaries(this IQueryable<Interaction> interactions) =>
        interactions.Select(i => new InteractionSummary(i.Id, i.ExternalId, i.CustomerId, i.Customer!.Name, i.CaseId, i.Channel, i.Direction,
            i.StartedAt, i.EndedAt, i.Agent != null ? i.Agent.Name : null, i.Queue, i.Reason, i.Subject, i.Outcome, i.FirstResponseSeconds,
            // Added as bigint: PostgreSQL refuses an int sum that overflows (rows stored before durations were limited).
            (long)i.TalkSeconds + i.HoldSeconds + i.WrapSeconds, i.Transfers, i.IsRepeat, i.FirstContactResolved, i.ChannelSwitch, i.SlaMet));
}
