using Touchpoint.Customers;

namespace Touchpoint.Interactions;

/// <summary>One contact between a customer and the contact center on one channel.</summary>
public sealed class Interaction
{
    public long Id { get; set; }

    /// <summary>The source system's id; ingestion is idempotent on it.</summary>
    public required string ExternalId { get; set; }

    public long CustomerId { get; set; }
    public Customer? Customer { get; set; }

    public long? CaseId { get; set; }
    public Case? Case { get; set; }

    /// <summary>A case id given by the source system (ticket number, thread root); when absent the case is derived.</summary>
    public string? CaseExternalId { get; set; }

    public Channel Channel { get; set; }
    public Direction Direction { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }

    public long? AgentId { get; set; }
    public Agent? Agent { get; set; }
    public string? Queue { get; set; }

    /// <summary>Seconds the customer waited before an agent answered (voice, chat) or replied (email, social).</summary>
    public int? FirstResponseSeconds { get; set; }
    public int TalkSeconds { get; set; }
    public int HoldSeconds { get; set; }
    public int WrapSeconds { get; set; }
    public int Transfers { get; set; }

    public string? Reason { get; set; }
    public Outcome Outcome { get; set; }
    public string? Subject { get; set; }

    // Derived by InteractionDerivations; never supplied by the source.
    public bool IsRepeat { get; set; }
    public bool FirstContactResolved { get; set; }
    public bool ChannelSwitch { get; set; }
    public bool? SlaMet { get; set; }

    public DateTime CreatedAt { get; set; }

    public List<Message> Messages { get; set; } = [];

    /// <summary>A long: rows stored before durations were limited may hold values whose sum does not fit an int.</summary>
    public long HandleSeconds => (long)TalkSeconds + HoldSeconds + WrapSeconds;
}

/// <summary>One utterance of a transcript or one message of a written conversation.</summary>
public sealed class Message
{
    public long Id { get; set; }
    public long InteractionId { get; set; }

    /// <summary>Carried on every message so the table can be sharded by customer.</summary>
    public long CustomerId { get; set; }

    public int Sequence { get; set; }
    public MessageAuthor Author { get; set; }
    public DateTime At { get; set; }
    public required string Text { get; set; }
}

public enum CaseStatus
{
    /// <summary>Its last contact did not resolve it, and that contact is less than <see cref="InteractionOptions.CloseCasesAfterDays"/> old.</summary>
    Open,
    Resolved,

    /// <summary>
    /// Ended unresolved: nobody contacted us about it for <see cref="InteractionOptions.CloseCasesAfterDays"/> after its
    /// last, unresolved contact (help desks close such tickets the same way). Never stored: a stored open case reads as
    /// closed once its last contact is that old (<see cref="InteractionOptions.CaseStatusAt"/>), and open again if a
    /// later contact joins it (one that names the source's ticket id, or any within a repeat window longer than that).
    /// </summary>
    Closed,
}

/// <summary>The interactions about one issue, across channels.</summary>
public sealed class Case
{
    public long Id { get; set; }

    /// <summary>The source's ticket id, or "auto:" + the first interaction's external id for derived cases.</summary>
    public required string ExternalId { get; set; }

    public long CustomerId { get; set; }
    public Customer? Customer { get; set; }

    public string? Reason { get; set; }
    public string? Subject { get; set; }
    /// <summary>As derived: <see cref="CaseStatus.Open"/> or <see cref="CaseStatus.Resolved"/>; what it is now is <see cref="InteractionOptions.CaseStatusAt"/>.</summary>
    public CaseStatus Status { get; set; }
    public DateTime OpenedAt { get; set; }
    public DateTime LastContactAt { get; set; }
    public DateTime? ResolvedAt { get; set; }

    public int ContactCount { get; set; }
    public int ChannelCount { get; set; }
    public int ChannelSwitches { get; set; }
    public int Transfers { get; set; }
    public Channel FirstChannel { get; set; }
    public int? FirstResponseSeconds { get; set; }
    public int? ResolutionSeconds { get; set; }
    public bool FirstContactResolved { get; set; }

    public List<Interaction> Interactions { get; set; } = [];
}

/// <summary>A person who handles contacts.</summary>
public sealed class Agent
{
    public long Id { get; set; }
    public required string ExternalId { get; set; }
    public required string Name { get; set; }
    public string? Team { get; set; }
    public string? Email { get; set; }
}
