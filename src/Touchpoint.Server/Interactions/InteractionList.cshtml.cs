using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Touchpoint.Interactions;
using Touchpoint.Server.Pages.Shared;
using Touchpoint.Storage;

namespace Touchpoint.Server.Interactions;

public sealed class InteractionListModel(InteractionSearch search) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "channel"), Display(Name = "Column.Channel")] public Channel? Channel { get; set; }
    [BindProperty(SupportsGet = true, Name = "from"), Display(Name = "Common.From")] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true, Name = "to"), Display(Name = "Common.To")] public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "agent"), Display(Name = "Column.Agent")] public long? AgentId { get; set; }
    [BindProperty(SupportsGet = true, Name = "queue"), Display(Name = "Column.Queue")] public string? Queue { get; set; }
    [BindProperty(SupportsGet = true, Name = "reason"), Display(Name = "Column.Reason")] public string? Reason { get; set; }
    // "p", not "page": Razor Pages keeps the page name in the route value "page".
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;
    // A value that names no column (an old or edited link) shows the list in its usual order.
    [BindProperty(SupportsGet = true, Name = "sort")] public string? SortText { get; set; }

    public ListSort<InteractionSortKey> Sort { get; private set; } = InteractionSearch.DefaultSort;

    public InteractionPage Result { get; private set; } = new([], 1, 50, false);
    public IReadOnlyList<AgentOption> Agents { get; private set; } = [];
    public bool Filtered => Channel is not null || From is not null || To is not null || AgentId is not null
        || !string.IsNullOrWhiteSpace(Queue) || !string.IsNullOrWhiteSpace(Reason);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Sort = ListSort<InteractionSortKey>.TryParse(SortText, out var sort) ? sort : InteractionSearch.DefaultSort;
        Agents = await search.AgentsAsync(cancellationToken);
        // A page number that does not parse (an edited link) shows the first page, as on the customer list; it is no
        // filter to fix, and the page named it by its property ("PageNumber", in English on the Russian page).
        ModelState.Remove("p");
        if (From > To)
        {
            // A reversed range matches nothing, and the page said only that nothing matched.
            ModelState.AddModelError("to", Platform.SharedResource.Text("Validation.RangeReversed"));
        }
        if (!ModelState.IsValid)
        {
            // A date or channel that does not parse filters nothing rather than everything; the form shows what was wrong.
            return;
        }
        // Channels sort as their labels read in the page's language ("Чат" before "Электронная почта"), not by stored name.
        var channelOrder = Enum.GetValues<Channel>().OrderBy(c => c.Label(), StringComparer.Create(CultureInfo.CurrentUICulture, ignoreCase: true)).ToList();
        Result = await search.SearchAsync(new InteractionQuery(Channel, From, To, AgentId, Queue, Reason, PageNumber, Sort: Sort, ChannelOrder: channelOrder),
            cancellationToken);
    }

    public string PageUrl(int page) => ListUrl(Sort, page);

    /// <summary>The sort for the filter form to carry, so new filters keep it; null for the usual order.</summary>
    public string? SortQuery => Sort == InteractionSearch.DefaultSort ? null : Sort.ToString();

    /// <summary>Every interaction, in the same order.</summary>
    public string ClearUrl => Pages.Shared.Display.WithQuery("/interactions", [new("sort", SortQuery)]);

    /// <summary>The list in another order, from its first page, with the same filters.</summary>
    public string SortUrl(ListSort<InteractionSortKey> sort) => ListUrl(sort, 1);

    private string ListUrl(ListSort<InteractionSortKey> sort, int page) => Pages.Shared.Display.WithQuery("/interactions",
    [
        new("channel", Channel?.ToString()),
        new("from", From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        new("to", To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        new("agent", AgentId?.ToString(CultureInfo.InvariantCulture)),
        new("queue", Queue),
        new("reason", Reason),
        // The usual order is left out, so its links stay as they were.
        new("sort", sort == InteractionSearch.DefaultSort ? null : sort.ToString()),
        new("p", page == 1 ? null : page.ToString(CultureInfo.InvariantCulture)),
    ]);
}
