using Microsoft.AspNetCore.Http.HttpResults;
using Touchpoint.Import;

namespace Touchpoint.Server.Platform;

/// <summary>What a batch did: rows imported, duplicates (already stored or repeated in the batch) and rejected rows with their index.</summary>
public sealed record BatchResult(long Received, long Imported, long Duplicates, long Rejected, IReadOnlyList<BatchRejection> Rejections);

/// <summary>
/// A rejected item of a batch: its 0-based index in the array, and why; when the reason is about fields, <see cref="Errors"/>
/// lists them by their JSON names (<c>talkSeconds</c>), as a 400's problem details do, and the reason uses those names too.
/// </summary>
public sealed record BatchRejection(long Index, string Reason, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static BatchRejection From(Rejection r) => r.Errors is { Count: > 0 } errors
        ? new(r.Line, string.Join("; ", errors.Select(e => $"{ApiProblems.JsonField(e.Field)} {e.Reason}")),
            ApiProblems.ByJsonField(errors))
        : new(r.Line, r.Reason);
}

/// <summary>The batch endpoints' shared shape: at most <see cref="MaxItems"/> items, valid ones stored, invalid ones listed by index.</summary>
public static class Batches
{
    public const int MaxItems = 10_000;

    public static async Task<Results<Ok<BatchResult>, ValidationProblem>> RunAsync<T>(List<T?> items, Func<IEnumerable<ImportRow<T>>, Task<ImportSummary>> ingest)
        where T : class
    {
        if (items.Count > MaxItems)
        {
            return ApiProblems.Invalid("items", $"a batch holds at most {MaxItems} items; send {items.Count} in several requests");
        }
        // The row's "line" is its index in the array, so rejections point at the item.
        var summary = await ingest(items.Select((item, n) => new ImportRow<T>(n, item, item is null ? "is null" : null)));
        return TypedResults.Ok(new BatchResult(items.Count, summary.Imported, summary.Duplicates, summary.Rejected,
            summary.Rejections.Select(BatchRejection.From).ToList()));
    }
}
