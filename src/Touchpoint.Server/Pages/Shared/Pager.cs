namespace Touchpoint.Server.Pages.Shared;

/// <summary>Previous/next links; <see cref="PageCount"/> is known only where the list counts its rows.</summary>
public sealed record Pager(int Page, bool HasNext, Func<int, string> Url, int? PageCount = null);
