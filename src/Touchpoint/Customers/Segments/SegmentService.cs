using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Interactions;
using Touchpoint.Storage;

namespace Touchpoint.Customers.Segments;

/// <summary>What a caller sends to create or change a saved segment or persona.</summary>
public sealed record SegmentDraft(string Name, SegmentKind Kind, string Rule, string? Description = null);

/// <summary>
/// One problem with a draft: <see cref="Field"/> is "name", "kind" or "rule"; <see cref="Column"/> is set for rule
/// errors, and <see cref="RuleError"/> for a rule that does not parse (its kind and arguments, for the UI language).
/// Other problems name their <see cref="Problem"/> and its <see cref="Argument"/> for the UI language; the message is
/// the API's English.
/// </summary>
public sealed record SegmentDraftError(string Field, string Message, int? Column = null, SegmentRuleError? RuleError = null,
    SegmentDraftProblem? Problem = null, string? Argument = null)
{
    public static SegmentDraftError Rule(SegmentRuleError error) => new("rule", error.Message, error.Column, error);
}

/// <summary>What is wrong with a draft other than a rule that does not parse; the comment says what the argument is.</summary>
public enum SegmentDraftProblem
{
    /// <summary>No argument.</summary>
    NameRequired,
    /// <summary>The longest name allowed.</summary>
    NameTooLong,
    /// <summary>The name.</summary>
    NameTaken,
    /// <summary>No argument.</summary>
    KindInvalid,
    /// <summary>The longest rule allowed.</summary>
    RuleTooLong,
    /// <summary>No argument.</summary>
    NameHasNul,
    /// <summary>No argument.</summary>
    DescriptionHasNul,
}

/// <summary>The saved segment, or why the draft was refused.</summary>
public sealed record SegmentSaveResult(Segment? Segment, IReadOnlyList<SegmentDraftError> Errors)
{
    public bool Succeeded => Segment is not null;
}

/// <summary>A segment or persona named in a customer's profile.</summary>
public sealed record SegmentMembership(long Id, string Name, SegmentKind Kind);

/// <summary>The saved segments a customer belongs to and their persona (the first matching persona by name).</summary>
public sealed record CustomerSegments(IReadOnlyList<SegmentMembership> Segments, SegmentMembership? Persona);

/// <summary>Saved segments and personas: stores only rules that parse, and evaluates them in the database.</summary>
public sealed class SegmentService(TouchpointDb db, TimeProvider time, IOptions<InteractionOptions> options)
{
    public const int MaxNameLength = 100;
    public const int MaxRuleLength = 2000;

    /// <summary>How many saved rules one statement of <see cref="ForCustomerAsync"/> tests.</summary>
    private const int RulesPerStatement = 100;

    private readonly InteractionOptions _options = options.Value;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Rules are evaluated now, with this installation's settings.</summary>
    private SegmentTime At => new(Now, _options);

    /// <summary>
    /// Names in the order people read them (alpha, Élan, Zeta), the same on every engine: sorted here, because SQLite
    /// orders by code point (Zeta, alpha, Élan) and PostgreSQL by the database's collation. The first matching persona
    /// is chosen in this order, so an engine's order would give one customer two different personas.
    /// </summary>
    public static readonly IComparer<string> NameOrder = Comparer<string>.Create((a, b) =>
        StringComparer.InvariantCultureIgnoreCase.Compare(a, b) is var order and not 0 ? order : StringComparer.Ordinal.Compare(a, b));

    public async Task<List<Segment>> ListAsync(SegmentKind? kind = null, CancellationToken cancellationToken = default) =>
        (await db.Segments.AsNoTracking()
            .Where(s => kind == null || s.Kind == kind)
            .ToListAsync(cancellationToken))
            // Segments lead, personas follow.
            .OrderBy(s => s.Kind == SegmentKind.Persona).ThenBy(s => s.Name, NameOrder)
            .ToList();

    public Task<Segment?> FindAsync(long id, CancellationToken cancellationToken = default) =>
        db.Segments.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);

    public async Task<SegmentSaveResult> CreateAsync(SegmentDraft draft, CancellationToken cancellationToken = default)
    {
        var errors = await ValidateAsync(draft, null, cancellationToken);
        if (errors.Count > 0)
        {
            return new(null, errors);
        }
        var segment = new Segment
        {
            Name = draft.Name.Trim(),
            Kind = draft.Kind,
            Rule = draft.Rule.Trim(),
            Description = NullIfBlank(draft.Description),
            CreatedAt = Now,
        };
        db.Segments.Add(segment);
        return await SaveAsync(segment, cancellationToken);
    }

    /// <summary>Changes a saved segment; null when there is no segment with that id.</summary>
    public async Task<SegmentSaveResult?> UpdateAsync(long id, SegmentDraft draft, CancellationToken cancellationToken = default)
    {
        var segment = await db.Segments.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (segment is null)
        {
            return null;
        }
        var errors = await ValidateAsync(draft, id, cancellationToken);
        if (errors.Count > 0)
        {
            return new(null, errors);
        }
        segment.Name = draft.Name.Trim();
        segment.Kind = draft.Kind;
        segment.Rule = draft.Rule.Trim();
        segment.Description = NullIfBlank(draft.Description);
        return await SaveAsync(segment, cancellationToken);
    }

    /// <summary>Saves, answering a name another request took since the check as the check does.</summary>
    private async Task<SegmentSaveResult> SaveAsync(Segment segment, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return new(segment, []);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return new(null, [NameTaken(segment.Name)]);
        }
    }

    private static SegmentDraftError NameTaken(string name) =>
        new("name", $"'{name}' is already used by another segment or persona", Problem: SegmentDraftProblem.NameTaken, Argument: name);

    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken = default) =>
        await db.Segments.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;

    /// <summary>The customers of a rule now; the caller pages and projects.</summary>
    public IQueryable<Customer> Members(SegmentRule rule) => db.Customers.AsNoTracking().InSegment(rule, At);

    public Task<int> CountMembersAsync(SegmentRule rule, CancellationToken cancellationToken = default) =>
        Members(rule).CountAsync(cancellationToken);

    /// <summary>
    /// The saved segments and the persona of one customer: one small query per saved rule, each filtered to the
    /// customer's id so it touches only that customer's rows. Personas are tried in name order until one matches.
    /// </summary>
    public async Task<CustomerSegments> ForCustomerAsync(long customerId, CancellationToken cancellationToken = default)
    {
        var at = At;
        var saved = (await db.Segments.AsNoTracking().ToListAsync(cancellationToken)).OrderBy(s => s.Name, NameOrder).ToList();
        // A stored rule that no longer parses (the language changed) matches nobody rather than breaking the profile page.
        var rules = saved.Select((segment, n) => (n, SegmentRule.Parse(segment.Rule).Rule)).Where(r => r.Rule is not null).ToList();
        // Several rules per statement (UNION ALL): a round trip per batch instead of one per segment, and batches stay
        // under SQLite's limit on the terms of one compound SELECT (500).
        var matched = new HashSet<int>();
        foreach (var batch in rules.Chunk(RulesPerStatement))
        {
            IQueryable<int>? tests = null;
            foreach (var (n, rule) in batch)
            {
                var index = n;
                var test = db.Customers.Where(c => c.Id == customerId).InSegment(rule!, at).Select(_ => index);
                tests = tests is null ? test : tests.Concat(test);
            }
            matched.UnionWith(await tests!.ToListAsync(cancellationToken));
        }
        var segments = new List<SegmentMembership>();
        SegmentMembership? persona = null;
        for (var n = 0; n < saved.Count; n++)
        {
            var segment = saved[n];
            if (!matched.Contains(n) || (segment.Kind == SegmentKind.Persona && persona is not null))
            {
                continue;
            }
            var membership = new SegmentMembership(segment.Id, segment.Name, segment.Kind);
            if (segment.Kind == SegmentKind.Persona)
            {
                persona = membership;
            }
            else
            {
                segments.Add(membership);
            }
        }
        return new CustomerSegments(segments, persona);
    }

    /// <summary>Adds the default segments and personas whose names are not taken yet; returns how many were added.</summary>
    public async Task<int> EnsureDefaultsAsync(CancellationToken cancellationToken = default)
    {
        var existing = (await db.Segments.Select(s => s.Name).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var added = 0;
        foreach (var draft in DefaultSegments.All.Where(d => !existing.Contains(d.Name)))
        {
            SegmentRule.ParseValid(draft.Rule);
            db.Segments.Add(new Segment { Name = draft.Name, Kind = draft.Kind, Rule = draft.Rule, Description = draft.Description, CreatedAt = Now });
            added++;
        }
        await db.SaveChangesAsync(cancellationToken);
        return added;
    }

    private async Task<List<SegmentDraftError>> ValidateAsync(SegmentDraft draft, long? id, CancellationToken cancellationToken)
    {
        var errors = new List<SegmentDraftError>();
        var name = draft.Name?.Trim() ?? "";
        if (name.Length == 0)
        {
            errors.Add(new("name", "is required", Problem: SegmentDraftProblem.NameRequired));
        }
        else if (name.Length > MaxNameLength)
        {
            errors.Add(new("name", $"is longer than {MaxNameLength} characters", Problem: SegmentDraftProblem.NameTooLong, Argument: Number(MaxNameLength)));
        }
        else if (name.Contains('\0', StringComparison.Ordinal))
        {
            // Before the query below: PostgreSQL fails one that sends a NUL.
            errors.Add(new("name", "contains a NUL character", Problem: SegmentDraftProblem.NameHasNul));
        }
        else if (await db.Segments.AnyAsync(s => s.Name == name && s.Id != id, cancellationToken))
        {
            errors.Add(NameTaken(name));
        }
        if (!Enum.IsDefined(draft.Kind))
        {
            errors.Add(new("kind", "must be Segment or Persona", Problem: SegmentDraftProblem.KindInvalid));
        }
        if (draft.Description?.Contains('\0', StringComparison.Ordinal) == true)
        {
            // PostgreSQL refuses to store one (a server error), SQLite would keep it.
            errors.Add(new("description", "contains a NUL character", Problem: SegmentDraftProblem.DescriptionHasNul));
        }
        if ((draft.Rule?.Length ?? 0) > MaxRuleLength)
        {
            errors.Add(new("rule", $"is longer than {MaxRuleLength} characters", Problem: SegmentDraftProblem.RuleTooLong, Argument: Number(MaxRuleLength)));
        }
        else
        {
            errors.AddRange(SegmentRule.Parse(draft.Rule).Errors.Select(SegmentDraftError.Rule));
        }
        return errors;
    }

    private static string Number(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
