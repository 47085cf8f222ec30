using Microsoft.AspNetCore.Http.HttpResults;
using Touchpoint.Feedback;
using Touchpoint.Server.Platform;

namespace Touchpoint.Server.Feedback;

public static class FeedbackApi
{
    public static void MapFeedbackApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/feedback").WithTags("Feedback").RequireAuthorization(Authentication.Policies.Manager);
        group.MapPost("/batch", Batch);
    }

    /// <summary>Scores collected by another tool (NPS 0–10, CSAT 1–5, CES 1–7); idempotent on externalId.</summary>
    public static Task<Results<Ok<BatchResult>, ValidationProblem>> Batch(FeedbackIngestor ingestor, List<FeedbackInput?> inputs,
        CancellationToken cancellationToken) =>
        Batches.RunAsync(inputs, rows => ingestor.IngestAsync(rows, cancellationToken: cancellationToken));
}
