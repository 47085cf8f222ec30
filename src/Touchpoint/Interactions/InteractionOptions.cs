using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Touchpoint.Interactions;

/// <summary>How derived interaction facts are computed. Bound from the "Interactions" configuration section.</summary>
public sealed class InteractionOptions
{
    public const string Section = "Interactions";

    /// <summary>A contact by the same customer about the same reason within this many days is a repeat contact.</summary>
    [Range(1, 3650)]
    public int RepeatWindowDays { get; set; } = 7;

    /// <summary>First-response targets per channel in seconds (phone answer 20 s, chat 60 s, social 60 min, email 24 h).</summary>
    [SlaTargets]
    public Dictionary<Channel, int> SlaSeconds { get; set; } = new()
    {
        [Channel.Phone] = 20,
        [Channel.Chat] = 60,
        [Channel.Sms] = 15 * 60,
        [Channel.Social] = 60 * 60,
        [Channel.Email] = 24 * 60 * 60,
        [Channel.InApp] = 60 * 60,
    };

    /// <summary>
    /// How many interactions the timelines an import holds may have before it lets go of the customers no batch
    /// touched lately (it keeps each customer's timeline from first touch; one let go is read again when it comes
    /// back), so an import of tens of millions of rows does not keep every timeline.
    /// </summary>
    public int MaxHeldEntries { get; set; } = 2_000_000;

    /// <summary>How often the server derives what imports left underived (see PendingDerivationsRepair); zero turns it off.</summary>
    public TimeSpan PendingRepairInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How old a mark must be before the server derives it instead of the import that made it (which may still run).</summary>
    public TimeSpan PendingRepairAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// An unresolved case without a contact for this many days reads as closed, unresolved (help desks close such
    /// tickets the same way). Longer than the repeat window by default: a contact after the window opens a new case
    /// anyway, so the old one would otherwise stay open for ever.
    /// </summary>
    [Range(1, 3650)]
    public int CloseCasesAfterDays { get; set; } = 30;

    public TimeSpan RepeatWindow => TimeSpan.FromDays(RepeatWindowDays);

    public TimeSpan CaseCloseAfter => TimeSpan.FromDays(CloseCasesAfterDays);

    /// <summary>The oldest last contact an open case may have at <paramref name="nowUtc"/> (for queries: stored open and last contact at or after this).</summary>
    public DateTime CasesOpenSince(DateTime nowUtc) => nowUtc - CaseCloseAfter;

    /// <summary>
    /// A case's status as of <paramref name="nowUtc"/>: a stored open case whose last contact is older than
    /// <see cref="CloseCasesAfterDays"/> is <see cref="CaseStatus.Closed"/>. Computed when read, never stored, so a
    /// case closes without a job writing it and reads open again if a later contact joins it.
    /// </summary>
    public CaseStatus CaseStatusAt(CaseStatus stored, DateTime lastContactAt, DateTime nowUtc) =>
        stored == CaseStatus.Open && lastContactAt < CasesOpenSince(nowUtc) ? CaseStatus.Closed : stored;

    public int? SlaFor(Channel channel) => SlaSeconds.TryGetValue(channel, out var s) ? s : null;
}

/// <summary>Each first-response target is at least a second and at most the longest wait a row may give (366 days).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SlaTargetsAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var wrong = (value as IReadOnlyDictionary<Channel, int> ?? new Dictionary<Channel, int>())
            .Where(t => t.Value is < 1 or > InteractionInput.MaxSeconds).Select(t => $"{t.Key} ({t.Value})").ToList();
        return wrong.Count == 0
            ? ValidationResult.Success
            // A target of 0 or less met nothing: every contact of the channel read as a missed SLA.
            : new ValidationResult($"The field {validationContext.MemberName} must give each channel 1 to {InteractionInput.MaxSeconds} seconds; " +
                $"{string.Join(", ", wrong)} is not.", validationContext.MemberName is { } member ? [member] : null);
    }
}

/// <summary>
/// Refuses a first-response target under a name that is not a channel ("Twitter", "In-App"): the configuration binder
/// drops such a key without a word, and the channel kept its default target while the setting looked applied.
/// </summary>
public sealed class SlaChannelNames(IConfiguration configuration) : IValidateOptions<InteractionOptions>
{
    public ValidateOptionsResult Validate(string? name, InteractionOptions options)
    {
        var section = InteractionOptions.Section + ":" + nameof(InteractionOptions.SlaSeconds);
        var unknown = configuration.GetSection(section).GetChildren().Select(c => c.Key)
            .Where(key => !Enum.TryParse<Channel>(key, ignoreCase: true, out var channel) || !Enum.IsDefined(channel) || key.Any(char.IsAsciiDigit))
            .ToList();
        return unknown.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{section}: {string.Join(", ", unknown.Select(k => $"'{k}'"))} is not a channel; the channels are " +
                string.Join(", ", Enum.GetNames<Channel>()) + ".");
    }
}
