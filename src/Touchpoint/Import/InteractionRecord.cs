using System.Text.Json;
using Touchpoint.Interactions;

namespace Touchpoint.Import;

/// <summary>
/// An interaction as it appears in an import or export file (CSV column or JSON Lines property per field, see
/// docs/import-formats.md). Every field is optional here; <see cref="ToInput"/> turns it into the ingestion input.
/// </summary>
public sealed class InteractionRecord
{
    public string? ExternalId { get; set; }
    public string? CustomerExternalId { get; set; }
    public string? CustomerEmail { get; set; }
    public string? CustomerPhone { get; set; }
    public string? CustomerSocialHandle { get; set; }
    public string? CustomerName { get; set; }
    public Channel? Channel { get; set; }
    public Direction? Direction { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }
    public string? AgentExternalId { get; set; }
    public string? AgentName { get; set; }
    public string? Queue { get; set; }
    public int? FirstResponseSeconds { get; set; }
    public int? TalkSeconds { get; set; }
    public int? HoldSeconds { get; set; }
    public int? WrapSeconds { get; set; }
    public int? Transfers { get; set; }
    public string? Reason { get; set; }
    public Outcome? Outcome { get; set; }
    public string? Subject { get; set; }
    public string? CaseExternalId { get; set; }

    /// <summary>Plain text, one utterance per line, optionally prefixed "customer:", "agent:", "bot:" or "system:".</summary>
    public string? Transcript { get; set; }

    /// <summary>The conversation with authors and times; wins over <see cref="Transcript"/> when both are given.</summary>
    public List<MessageRecord>? Messages { get; set; }

    /// <summary>CSV columns in export order; the names are also the JSON property names.</summary>
    public static readonly IReadOnlyList<RecordField<InteractionRecord>> Fields =
    [
        new("external_id", (r, v) => r.ExternalId = v, r => r.ExternalId, "id"),
        new("customer_external_id", (r, v) => r.CustomerExternalId = v, r => r.CustomerExternalId, "customer_id", "customer"),
        new("customer_email", (r, v) => r.CustomerEmail = v, r => r.CustomerEmail, "email"),
        new("customer_phone", (r, v) => r.CustomerPhone = v, r => r.CustomerPhone, "phone"),
        new("customer_social_handle", (r, v) => r.CustomerSocialHandle = v, r => r.CustomerSocialHandle, "customer_handle", "social_handle", "handle"),
        new("customer_name", (r, v) => r.CustomerName = v, r => r.CustomerName),
        new("channel", (r, v) => r.Channel = Cells.Channel("channel", v), r => r.Channel?.ToString()),
        new("direction", (r, v) => r.Direction = Cells.Enum<Direction>("direction", v), r => r.Direction?.ToString()),
        new("started_at", (r, v) => r.StartedAt = Cells.Instant("started_at", v), r => Cells.Format(r.StartedAt), "start", "time", "timestamp"),
        new("ended_at", (r, v) => r.EndedAt = Cells.Instant("ended_at", v), r => Cells.Format(r.EndedAt), "end"),
        new("agent_external_id", (r, v) => r.AgentExternalId = v, r => r.AgentExternalId, "agent", "agent_id"),
        new("agent_name", (r, v) => r.AgentName = v, r => r.AgentName),
        new("queue", (r, v) => r.Queue = v, r => r.Queue),
        new("first_response_seconds", (r, v) => r.FirstResponseSeconds = Cells.Int("first_response_seconds", v), r => Cells.Format(r.FirstResponseSeconds), "first_response"),
        new("talk_seconds", (r, v) => r.TalkSeconds = Cells.Int("talk_seconds", v), r => Cells.Format(r.TalkSeconds), "talk"),
        new("hold_seconds", (r, v) => r.HoldSeconds = Cells.Int("hold_seconds", v), r => Cells.Format(r.HoldSeconds), "hold"),
        new("wrap_seconds", (r, v) => r.WrapSeconds = Cells.Int("wrap_seconds", v), r => Cells.Format(r.WrapSeconds), "wrap"),
        new("transfers", (r, v) => r.Transfers = Cells.Int("transfers", v), r => Cells.Format(r.Transfers)),
        new("reason", (r, v) => r.Reason = v, r => r.Reason, "contact_reason"),
        new("outcome", (r, v) => r.Outcome = Cells.Enum<Outcome>("outcome", v), r => r.Outcome?.ToString()),
        new("subject", (r, v) => r.Subject = v, r => r.Subject),
        new("case_external_id", (r, v) => r.CaseExternalId = v, r => r.CaseExternalId, "case_id", "case"),
        new("transcript", (r, v) => r.Transcript = v, r => r.Transcript),
        new("messages", (r, v) => r.Messages = ParseMessages(v), r => r.Messages is null ? null : JsonSerializer.Serialize(r.Messages, ImportJson.Options)),
    ];

    private static List<MessageRecord> ParseMessages(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<List<MessageRecord>>(json, ImportJson.Options) ?? [];
        }
        catch (JsonException e)
        {
            // The parser's words without its location suffix (" Path: $ | LineNumber: 0 | ..."): the cell is the location.
            var words = e.Message.Split(" Path: ", 2)[0].Split(" LineNumber: ", 2)[0];
            throw new RecordFieldException("messages", $"is not a JSON array of {{\"author\", \"at\", \"text\"}} objects: {words}");
        }
    }

    /// <summary>The ingestion input; throws <see cref="RecordFieldException"/> when a required field is missing.</summary>
    public InteractionInput ToInput() => new()
    {
        ExternalId = ExternalId ?? "",
        CustomerExternalId = CustomerExternalId,
        CustomerEmail = CustomerEmail,
        CustomerPhone = CustomerPhone,
        CustomerSocialHandle = CustomerSocialHandle,
        CustomerName = CustomerName,
        Channel = Channel ?? throw new RecordFieldException("channel", "is required"),
        Direction = Direction ?? Interactions.Direction.Inbound,
        StartedAt = StartedAt ?? default,
        EndedAt = EndedAt,
        AgentExternalId = AgentExternalId,
        AgentName = AgentName,
        Queue = Queue,
        FirstResponseSeconds = FirstResponseSeconds,
        TalkSeconds = TalkSeconds ?? 0,
        HoldSeconds = HoldSeconds ?? 0,
        WrapSeconds = WrapSeconds ?? 0,
        Transfers = Transfers ?? 0,
        Reason = Reason,
        Outcome = Outcome ?? Interactions.Outcome.Resolved,
        Subject = Subject,
        CaseExternalId = CaseExternalId,
        Messages = Messages is { } messages
            ? messages.Select((m, n) => m is null
                ? throw new RecordFieldException($"messages[{n}]", "is null")
                : new MessageInput(m.Author ?? MessageAuthor.Customer, m.At ?? default, m.Text ?? "")).ToList()
            : TranscriptMessages(Transcript),
    };

    private static List<MessageInput> TranscriptMessages(string? transcript)
    {
        if (string.IsNullOrWhiteSpace(transcript))
        {
            return [];
        }
        // Checked here, not on the messages it becomes: their "messages[0].text" is no column of a file that gives a transcript.
        if (transcript.Contains('\0', StringComparison.Ordinal))
        {
            throw new RecordFieldException("transcript", "contains a NUL character");
        }
        var messages = new List<MessageInput>();
        foreach (var line in transcript.Split('\n'))
        {
            var text = line.TrimEnd('\r');
            if (text.Trim().Length == 0)
            {
                continue;
            }
            var author = MessageAuthor.Customer;
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && ValueNames.TryParse(text[..colon], out MessageAuthor named))
            {
                author = named;
                text = text[(colon + 1)..].Trim();
            }
            messages.Add(new MessageInput(author, default, text));
        }
        return messages;
    }
}

/// <summary>One message of an interaction in a file.</summary>
public sealed class MessageRecord
{
    public MessageAuthor? Author { get; set; }
    public DateTime? At { get; set; }
    public string? Text { get; set; }
}
