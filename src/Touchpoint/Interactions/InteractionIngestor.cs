using Microsoft.Extensions.Options;
using Touchpoint.Import;
using Touchpoint.Storage;

namespace Touchpoint.Interactions;

/// <summary>
/// The one way interactions enter the store (API single and batch, CLI import, twcs, demo data):
/// validation, identity resolution, idempotent bulk write on external ids, then derivations
/// (cases, repeat contact, FCR, channel switches, SLA) for every customer the rows touched.
/// </summary>
public sealed class InteractionIngestor(DatabaseTarget target, IOptions<InteractionOptions> options, TimeProvider time)
{
    public const int DefaultBatchSize = 20_000;

    /// <summary>Ingests rows in batches of <paramref name="batchSize"/>, each in its own transaction.</summary>
    public Task<ImportSummary> IngestAsync(IEnumerable<ImportRow<InteractionInput>> rows, IProgress<ImportProgress>? progress = null,
        int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default)
    {
        _ = target; _ = options; _ = time; _ = rows; _ = progress; _ = batchSize; _ = cancellationToken;
        throw new NotImplementedException("being written");
    }
}
