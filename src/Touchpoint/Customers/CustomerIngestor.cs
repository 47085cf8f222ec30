using Touchpoint.Import;
using Touchpoint.Storage;

namespace Touchpoint.Customers;

/// <summary>
/// Creates or updates customers from source rows, resolving each row to an existing profile by external id
/// or by any identity it carries. Idempotent: the same rows twice change nothing the second time.
/// </summary>
public sealed class CustomerIngestor(DatabaseTarget target, TimeProvider time)
{
    public Task<ImportSummary> IngestAsync(IEnumerable<ImportRow<CustomerInput>> rows, IProgress<ImportProgress>? progress = null,
        int batchSize = 5_000, CancellationToken cancellationToken = default)
    {
        _ = target; _ = time; _ = rows; _ = progress; _ = batchSize; _ = cancellationToken;
        throw new NotImplementedException("being written");
    }
}
