using Microsoft.AspNetCore.Http.HttpResults;
using Touchpoint.Feedback;
using Touchpoint.Import;
using Touchpoint.Server.Customers;
using Touchpoint.Server.Platform;

namespace Touchpoint.Server.Feedback;

public static class FeedbackApi
{
    public const int MaxBatch = 10_000;

    public static void MapFeedbackApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/feedback").WithTags("Feedback").RequireAuthorization(Authentication.Policies.Manager);
        group.MapPost("/batch", Batch);
    }

    /// <summary>Scores collected by another tool (NPS 0–10, CSAT 1–5, CES 1–7); idempotent on externalId.</summary>
    public static async Task<Results<Ok<BatchResult>, ValidationProblem>> Batch(FeedbackIngestor ingestor, List<FeedbackInput?> inputs,
        CancellationToken cancellationToken)
    {
        if (inputs.Count > MaxBatch)
        {
            return ApiProblems.Invalid("items", $"a batch holds at most {MaxBatch} items; send {inputs.Count} in several requests");
        }
        var summary = await ingestor.IngestAsync(inputs.Select((input, n) => new ImportRow<FeedbackInput>(n, input, input is null ? "is null" : null)),
            cancellationToken: cancellationToken);
        return TypedResults.Ok(CustomersApi.ToBatchResult(inputs.Count, summary));
    }
}
