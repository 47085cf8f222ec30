using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Touchpoint.Customers;
using Touchpoint.Customers.Segments;
using Touchpoint.Server.Platform;
using Touchpoint.Storage;

namespace Touchpoint.Server.Customers;

public sealed class CustomerListModel(CustomerSearch search, SegmentService segments, IAuthorizationService authorization) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")] public string? Text { get; set; }
    [BindProperty(SupportsGet = true, Name = "segment")] public long? SegmentId { get; set; }
    // "p", not "page": Razor Pages keeps the page name in the route value "page".
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;
    // A value that names no column (an old or edited link) shows the list in its usual order.
    [BindProperty(SupportsGet = true, Name = "sort")] public string? SortText { get; set; }

    public ListSort<CustomerSortKey> Sort { get; private set; } = CustomerSearch.DefaultSort;

    public CustomerPage Result { get; private set; } = new([], 0, 1, 50);
    public IReadOnlyList<Segment> Segments { get; private set; } = [];

    /// <summary>Managers may download the customers the list finds (the export holds every identity they have).</summary>
    public bool CanExport { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        // A name pasted with a double space or a tab (from a CRM, an email signature) is the same name: the search
        // matches names as typed, so "Ada  Lovelace" found nobody.
        Text = Text is null ? null : string.Join(' ', Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Sort = ListSort<CustomerSortKey>.TryParse(SortText, out var sort) ? sort : CustomerSearch.DefaultSort;
        Segments = await segments.ListAsync(cancellationToken: cancellationToken);
        Result = await search.SearchAsync(new CustomerQuery(Text, SegmentId, PageNumber, Sort: Sort), cancellationToken);
        CanExport = await authorization.IsManagerAsync(User);
    }

    /// <summary>The export of what the list shows: the same text and segment, every page, in the list's order.</summary>
    public string ExportUrl => Pages.Shared.Display.WithQuery("/api/customers/export",
    [
        new("q", Text),
        new("segmentId", SegmentId?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("sort", SortValue(Sort)),
    ]);

    public string PageUrl(int page) => ListUrl(Sort, page);

    /// <summary>Every customer, in the same order.</summary>
    public string ClearUrl => Pages.Shared.Display.WithQuery("/customers", [new("sort", SortQuery)]);

    /// <summary>The list in another order, from its first page, with the same search and segment.</summary>
    public string SortUrl(ListSort<CustomerSortKey> sort) => ListUrl(sort, 1);

    private string ListUrl(ListSort<CustomerSortKey> sort, int page) => Pages.Shared.Display.WithQuery("/customers",
    [
        new("q", Text),
        new("segment", SegmentId?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("sort", SortValue(sort)),
        new("p", page == 1 ? null : page.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ]);

    /// <summary>The sort for the search form to carry, so a new search keeps it; null for the usual order.</summary>
    public string? SortQuery => SortValue(Sort);

    /// <summary>The usual order is left out, so its links stay as they were.</summary>
    private static string? SortValue(ListSort<CustomerSortKey> sort) => sort == CustomerSearch.DefaultSort ? null : sort.ToString();
}
