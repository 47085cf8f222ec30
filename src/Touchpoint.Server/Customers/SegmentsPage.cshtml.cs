using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Touchpoint.Customers;
using Touchpoint.Customers.Segments;
using Touchpoint.Interactions;
using Touchpoint.Server.Pages.Shared;
using Touchpoint.Server.Platform;

namespace Touchpoint.Server.Customers;

/// <summary>
/// Saved segments and personas: everyone signed in sees them with their member counts; managers write rules here,
/// check them against the customers (a parse error points at its column, a good rule says how many it selects),
/// save, change and delete them.
/// </summary>
[Authorize]
public sealed class SegmentsPageModel(SegmentService segments, IAuthorizationService authorization) : PageModel
{
    public sealed record Row(Segment Segment, int? Members);

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public bool CanEdit { get; private set; }

    /// <summary>The segment being edited (null: a new one).</summary>
    [BindProperty(SupportsGet = true, Name = "edit")] public long? EditId { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public SegmentKind Kind { get; set; } = SegmentKind.Segment;
    [BindProperty] public string? Rule { get; set; }
    [BindProperty] public string? Description { get; set; }

    public IReadOnlyList<SegmentDraftError> Errors { get; private set; } = [];

    /// <summary>After "Check": how many customers the rule selects now.</summary>
    public int? CheckedMembers { get; private set; }

    public static IReadOnlyList<SegmentField> Fields => SegmentField.All;

    /// <summary>What a field means, in the page's language (the core's descriptions are English, for the API).</summary>
    public static string Meaning(SegmentField field)
    {
        foreach (var channel in Enum.GetValues<Channel>())
        {
            if (field.Name == "consent_" + channel.ToKey().Replace('-', '_'))
            {
                return SharedResource.Text("SegmentField.consent", channel.Label());
            }
        }
        var key = "SegmentField." + field.Name; // every field has one in both languages (SegmentsPageTests reads them all)
        return SharedResource.Text(key);
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (EditId is { } id)
        {
            if (await segments.FindAsync(id, cancellationToken) is not { } segment)
            {
                return NotFound();
            }
            (Name, Kind, Rule, Description) = (segment.Name, segment.Kind, segment.Rule, segment.Description);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostCheckAsync(CancellationToken cancellationToken)
    {
        if (await ForbidUnlessManagerAsync() is { } forbid)
        {
            return forbid;
        }
        var parsed = SegmentRule.Parse(Rule);
        if (parsed.Rule is { } rule)
        {
            CheckedMembers = await segments.CountMembersAsync(rule, cancellationToken);
        }
        else
        {
            Errors = parsed.Errors.Select(SegmentDraftError.Rule).ToList();
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken cancellationToken)
    {
        if (await ForbidUnlessManagerAsync() is { } forbid)
        {
            return forbid;
        }
        var draft = new SegmentDraft(Name ?? "", Kind, Rule ?? "", Description);
        SegmentSaveResult? result;
        if (EditId is { } id)
        {
            result = await segments.UpdateAsync(id, draft, cancellationToken);
            if (result is null)
            {
                return NotFound();
            }
        }
        else
        {
            result = await segments.CreateAsync(draft, cancellationToken);
        }
        if (result.Succeeded)
        {
            return RedirectToPage(new { saved = result.Segment!.Id });
        }
        Errors = result.Errors;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken cancellationToken)
    {
        if (await ForbidUnlessManagerAsync() is { } forbid)
        {
            return forbid;
        }
        await segments.DeleteAsync(id, cancellationToken);
        return RedirectToPage();
    }

    /// <summary>
    /// An error as the page shows it, in the UI language: a rule that does not parse by its kind (with the tokens it
    /// quotes and the column), other problems by theirs; anything else as the service words it.
    /// </summary>
    public static string Message(SegmentDraftError error, string? ruleText = null) => error switch
    {
        { RuleError: { } rule } when ruleText?.Contains('\n', StringComparison.Ordinal) == true =>
            SharedResource.Text("Segments.OnLine", rule.Line, Message(error)),
        { RuleError: { } rule } => SharedResource.Text(typeof(SegmentRuleErrorKind).Name + "." + rule.Kind, [rule.Column, .. rule.Arguments]),
        { Problem: { } problem } => SharedResource.Text(typeof(SegmentDraftProblem).Name + "." + problem, error.Argument),
        _ => error.Message,
    };

    /// <summary>
    /// The rule with a line holding a caret under the error's column, right after the line the error is on: a rule written
    /// on several lines has its caret under the right one, and tabs before the column are kept so the caret lines up.
    /// Null when the position is not in the text.
    /// </summary>
    public static string? Caret(string text, int line, int column)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (line < 1 || line > lines.Length || column < 1 || column > lines[line - 1].Length + 1)
        {
            return null;
        }
        var before = lines[line - 1][..(column - 1)];
        var pad = string.Concat(before.Where(c => !char.IsLowSurrogate(c)).Select(c => c == '\t' ? '\t' : ' '));
        return string.Join('\n', [.. lines[..line], pad + "^", .. lines[line..]]);
    }

    /// <summary>The first error for a field, for the message under it.</summary>
    public SegmentDraftError? ErrorFor(string field) => Errors.FirstOrDefault(e => string.Equals(e.Field, field, StringComparison.OrdinalIgnoreCase));

    private async Task<IActionResult?> ForbidUnlessManagerAsync() =>
        await authorization.IsManagerAsync(User) ? null : Forbid();

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        CanEdit = await authorization.IsManagerAsync(User);
        var rows = new List<Row>();
        foreach (var segment in await segments.ListAsync(cancellationToken: cancellationToken))
        {
            // A stored rule that no longer parses shows without a count rather than breaking the page.
            var parsed = SegmentRule.Parse(segment.Rule);
            rows.Add(new Row(segment, parsed.Rule is { } rule ? await segments.CountMembersAsync(rule, cancellationToken) : null));
        }
        Rows = rows;
    }
}
