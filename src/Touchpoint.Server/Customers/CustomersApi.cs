using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Customers;
using Touchpoint.Import;
using Touchpoint.Interactions;
using Touchpoint.Server.Platform;
using Touchpoint.Storage;

namespace Touchpoint.Server.Customers;

public sealed record CustomerDto(long Id, string ExternalId, string Name, string? Email, string? Phone, string AccountType, string AccountStatus,
    string? Plan, string Products, double Revenue, DateTime CustomerSince, string? City, string? Country, string Language, string TimeZone,
    Channel? PreferredChannel, TimeOnly? QuietHoursStart, TimeOnly? QuietHoursEnd, long? MergedIntoId, DateTime CreatedAt, DateTime UpdatedAt,
    IReadOnlyList<ContextIdentity> Identities, IReadOnlyList<ContextConsent> Consents);

/// <summary>What a batch did: rows imported, duplicates (already stored or repeated in the batch) and rejected rows with their index.</summary>
public sealed record BatchResult(long Received, long Imported, long Duplicates, long Rejected, IReadOnlyList<BatchRejection> Rejections);

/// <summary>A rejected item of a batch: its 0-based index in the array, and why.</summary>
public sealed record BatchRejection(long Index, string Reason);

public sealed record MergeRequest(long? MergeCustomerId);

public static class CustomersApi
{
    public const int MaxBatch = 10_000;

    public static RouteGroupBuilder MapCustomersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/customers").WithTags("Customers").RequireAuthorization();
        group.MapGet("/{id:long}", Get);
        group.MapGet("/lookup", Lookup);
        group.MapGet("/{id:long}/context", Context);
        group.MapPost("/", Upsert).RequireAuthorization(Authentication.Policies.Manager);
        group.MapPost("/batch", Batch).RequireAuthorization(Authentication.Policies.Manager);
        group.MapPost("/{id:long}/merge", Merge).RequireAuthorization(Authentication.Policies.Manager);
        app.MapGet("/api/context", ContextByIdentity).WithTags("Customers").RequireAuthorization();
        return group;
    }

    public static async Task<Results<Ok<CustomerDto>, NotFound>> Get(TouchpointDb db, long id, CancellationToken cancellationToken) =>
        await LoadAsync(db, id, cancellationToken) is { } dto ? TypedResults.Ok(dto) : TypedResults.NotFound();

    /// <summary>Finds a customer by external id, CRM id, email, phone or social handle (normalised as on ingestion).</summary>
    public static async Task<Results<Ok<CustomerDto>, NotFound, ValidationProblem>> Lookup(TouchpointDb db, CustomerContextQuery context,
        string? externalId, string? email, string? phone, string? handle, CancellationToken cancellationToken)
    {
        if (new[] { externalId, email, phone, handle }.All(string.IsNullOrWhiteSpace))
        {
            return ApiProblems.Invalid("query", "give one of externalId, email, phone or handle");
        }
        return await context.FindAsync(externalId, email, phone, handle, cancellationToken) is { } id
               && await LoadAsync(db, id, cancellationToken) is { } dto
            ? TypedResults.Ok(dto)
            : TypedResults.NotFound();
    }

    /// <summary>Everything an agent or bot needs about the customer in one call; <paramref name="recent"/> contacts (1–200, default 20).</summary>
    public static async Task<Results<Ok<CustomerContext>, NotFound>> Context(CustomerContextQuery context, long id, int? recent,
        CancellationToken cancellationToken) =>
        await context.GetAsync(id, recent ?? CustomerContextQuery.DefaultRecent, cancellationToken) is { } found
            ? TypedResults.Ok(found)
            : TypedResults.NotFound();

    public static async Task<Results<Ok<CustomerContext>, NotFound, ValidationProblem>> ContextByIdentity(CustomerContextQuery context,
        string? externalId, string? email, string? phone, string? handle, int? recent, CancellationToken cancellationToken)
    {
        if (new[] { externalId, email, phone, handle }.All(string.IsNullOrWhiteSpace))
        {
            return ApiProblems.Invalid("query", "give one of externalId, email, phone or handle");
        }
        return await context.FindAsync(externalId, email, phone, handle, cancellationToken) is { } id
               && await context.GetAsync(id, recent ?? CustomerContextQuery.DefaultRecent, cancellationToken) is { } found
            ? TypedResults.Ok(found)
            : TypedResults.NotFound();
    }

    /// <summary>Creates or updates one customer by external id: 201 when new, 200 when it existed.</summary>
    public static async Task<Results<Created<CustomerDto>, Ok<CustomerDto>, ValidationProblem>> Upsert(CustomerIngestor ingestor, TouchpointDb db,
        CustomerInput input, CancellationToken cancellationToken)
    {
        var errors = input.Validate();
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }
        var existed = await db.Customers.AnyAsync(c => c.ExternalId == input.ExternalId.Trim(), cancellationToken);
        var summary = await ingestor.IngestAsync([new ImportRow<CustomerInput>(0, input)], cancellationToken: cancellationToken);
        if (summary.Rejections.Count > 0)
        {
            return ApiProblems.Invalid("customer", summary.Rejections[0].Reason);
        }
        var id = await db.Customers.Where(c => c.ExternalId == input.ExternalId.Trim()).Select(c => c.MergedIntoId ?? c.Id).FirstAsync(cancellationToken);
        var dto = (await LoadAsync(db, id, cancellationToken))!;
        return existed ? TypedResults.Ok(dto) : TypedResults.Created($"/api/customers/{id}", dto);
    }

    public static async Task<Results<Ok<BatchResult>, ValidationProblem>> Batch(CustomerIngestor ingestor, List<CustomerInput?> inputs,
        CancellationToken cancellationToken)
    {
        if (inputs.Count > MaxBatch)
        {
            return ApiProblems.Invalid("items", $"a batch holds at most {MaxBatch} items; send {inputs.Count} in several requests");
        }
        var summary = await ingestor.IngestAsync(inputs.Select((input, n) => new ImportRow<CustomerInput>(n, input, input is null ? "is null" : null)),
            cancellationToken: cancellationToken);
        return TypedResults.Ok(ToBatchResult(inputs.Count, summary));
    }

    /// <summary>Merges customer <c>mergeCustomerId</c> into <paramref name="id"/>; both histories end up on <paramref name="id"/>.</summary>
    public static async Task<Results<Ok<MergeResult>, NotFound, ValidationProblem>> Merge(CustomerMerge merge, long id, MergeRequest request,
        ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (request.MergeCustomerId is not { } other)
        {
            return ApiProblems.Invalid("mergeCustomerId", "is required");
        }
        var result = await merge.MergeAsync(id, other, user.Identity?.Name ?? "unknown", cancellationToken);
        return result.Error switch
        {
            null => TypedResults.Ok(result),
            MergeError.NotFound => TypedResults.NotFound(),
            MergeError.SameCustomer => ApiProblems.Invalid("mergeCustomerId", "is the same customer"),
            _ => ApiProblems.Invalid("mergeCustomerId", "one of the two profiles was already merged into another"),
        };
    }

    internal static BatchResult ToBatchResult(long received, ImportSummary summary) => new(received, summary.Imported, summary.Duplicates,
        summary.Rejected, summary.Rejections.Select(r => new BatchRejection(r.Line, r.Reason)).ToList());

    private static async Task<CustomerDto?> LoadAsync(TouchpointDb db, long id, CancellationToken cancellationToken)
    {
        var c = await db.Customers.AsNoTracking().Include(x => x.Identities).Include(x => x.Consents).AsSplitQuery().FirstOrDefaultAsync(x => x.Id == id, cancellationToken);
        return c is null
            ? null
            : new CustomerDto(c.Id, c.ExternalId, c.Name, c.Email, c.Phone, c.AccountType, c.AccountStatus, c.Plan, c.Products, c.Revenue, c.CustomerSince,
                c.City, c.Country, c.Language, c.TimeZone, c.PreferredChannel, c.QuietHoursStart, c.QuietHoursEnd, c.MergedIntoId, c.CreatedAt, c.UpdatedAt,
                c.Identities.OrderBy(i => i.Kind).ThenBy(i => i.Value).Select(i => new ContextIdentity(i.Kind, i.Value)).ToList(),
                c.Consents.OrderBy(x => x.Channel).Select(x => new ContextConsent(x.Channel, x.Granted, x.UpdatedAt)).ToList());
    }
}
