using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Customers;
using Touchpoint.Customers.Segments;
using Touchpoint.Import;
using Touchpoint.Interactions;
using Touchpoint.Server.Platform;
using Touchpoint.Storage;

namespace Touchpoint.Server.Customers;

/// <summary>A profile as the API shows it, with its segments, persona and open cases.</summary>
public sealed record CustomerDto(long Id, string ExternalId, string Name, string? Email, string? Phone, string AccountType, string AccountStatus,
    string? Plan, string Products, double Revenue, DateTime CustomerSince, string? City, string? Country, string Language, string TimeZone,
    Channel? PreferredChannel, TimeOnly? QuietHoursStart, TimeOnly? QuietHoursEnd, DateTime CreatedAt, DateTime UpdatedAt,
    IReadOnlyList<ContextIdentity> Identities, IReadOnlyList<ContextConsent> Consents, IReadOnlyList<string> Segments, string? Persona,
    IReadOnlyList<OpenCaseSummary> OpenCases, int InteractionCount, DateTime? ErasedAt);

public sealed record MergeRequest(long? MergeCustomerId);

public static class CustomersApi
{
    public static RouteGroupBuilder MapCustomersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/customers").WithTags("Customers").RequireAuthorization();
        group.MapGet("/", List).WithMetadata(new SortParameter(ListSort<CustomerSortKey>.Accepted, CustomerSearch.DefaultSort.ToString()));
        group.MapGet("/{id:long}", Get);
        group.MapGet("/{id:long}/timeline", Timeline);
        group.MapGet("/lookup", Lookup);
        group.MapGet("/export", Export).RequireAuthorization(Authentication.Policies.Manager)
            .WithMetadata(new SortParameter(ListSort<CustomerSortKey>.Accepted, CustomerSearch.DefaultSort.ToString()));
        group.MapGet("/{id:long}/context", Context);
        group.MapPost("/", Upsert).RequireAuthorization(Authentication.Policies.Manager);
        group.MapPost("/batch", Batch).RequireAuthorization(Authentication.Policies.Manager);
        group.MapFileImport(Import);
        group.MapPost("/{id:long}/merge", Merge).RequireAuthorization(Authentication.Policies.Manager);
        group.MapGet("/{id:long}/personal-data", ExportPersonalData).RequireAuthorization(Authentication.Policies.Admin);
        group.MapDelete("/{id:long}/personal-data", ErasePersonalData).RequireAuthorization(Authentication.Policies.Admin);
        app.MapGet("/api/context", ContextByIdentity).WithTags("Customers").RequireAuthorization();
        return group;
    }

    /// <summary>
    /// Customers matching <paramref name="q"/> (name, email, phone, social handle, external or CRM id) and/or in saved segment
    /// <paramref name="segmentId"/>, by name unless <paramref name="sort"/> says otherwise.
    /// </summary>
    /// <param name="sort">A column (name, plan, customerSince, lastContactAt), with a leading "-" for descending; ties follow the id.</param>
    public static async Task<Results<Ok<CustomerPage>, ValidationProblem>> List(CustomerSearch search, SegmentService segments, string? q, long? segmentId,
        int? page, int? pageSize, string? sort, CancellationToken cancellationToken)
    {
        if (pageSize is < 1 or > CustomerSearch.MaxPageSize)
        {
            return ApiProblems.Invalid("pageSize", $"must be between 1 and {CustomerSearch.MaxPageSize}");
        }
        if (!ApiProblems.TryReadSort(sort, out ListSort<CustomerSortKey>? order, out var invalid))
        {
            return invalid;
        }
        var result = await search.SearchAsync(new CustomerQuery(q, segmentId, Math.Max(1, page ?? 1), pageSize ?? 50, order), cancellationToken);
        return result.SegmentMissing ? await SegmentProblemAsync(segments, segmentId, cancellationToken) : TypedResults.Ok(result);
    }

    /// <summary>
    /// The customers <paramref name="q"/> and <paramref name="segmentId"/> find (all when neither is given), as a file in the
    /// import format: CSV (default) or JSON Lines with <paramref name="format"/>=jsonl. Streamed, so any size; the file
    /// imports again unchanged. Managers only: it holds every identity of every profile it lists; audited.
    /// </summary>
    /// <param name="sort">The rows' order, as on GET /api/customers (by name without it).</param>
    public static async Task<IResult> Export(CustomerSearch search, SegmentService segments, DatabaseTarget target, Microsoft.Extensions.Options.IOptions<CustomerOptions> customerOptions,
        TouchpointDb db, TimeProvider time, HttpContext http, string? q, long? segmentId, string? format, string? sort, CancellationToken cancellationToken)
    {
        if (format is not (null or "csv" or "jsonl"))
        {
            return ApiProblems.Invalid("format", "must be csv or jsonl");
        }
        if (!ApiProblems.TryReadSort(sort, out ListSort<CustomerSortKey>? order, out var invalid))
        {
            return invalid;
        }
        if (await search.IdsAsync(new CustomerQuery(q, segmentId, Sort: order), cancellationToken) is not { } ids)
        {
            return await SegmentProblemAsync(segments, segmentId, cancellationToken);
        }
        // Every identity of every profile listed leaves the system: who took which customers is on record, as for one
        // person's personal data, before the first row goes out. A NUL in the search is written as \0: PostgreSQL stores none.
        db.AuditLog.Add(new Touchpoint.Platform.AuditEntry
        {
            At = time.GetUtcNow().UtcDateTime, Actor = http.User.Identity?.Name ?? "unknown", Action = "customer.exported",
            Target = segmentId is { } segment ? $"segment {segment}" : null,
            Detail = $"{ids.Count} {(ids.Count == 1 ? "customer" : "customers")} as {format ?? "csv"}" + (string.IsNullOrWhiteSpace(q) ? "" : $"{PersonalData.SearchOnRecord}{q.Replace("\0", "\\0", StringComparison.Ordinal)}'"),
        });
        await db.SaveChangesAsync(cancellationToken);
        var jsonl = format == "jsonl";
        http.Response.ContentType = jsonl ? "application/jsonl; charset=utf-8" : "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"customers.{(jsonl ? "jsonl" : "csv")}\"";
        await using var writer = new StreamWriter(http.Response.Body, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        await RecordExport.WriteAsync(RecordExport.CustomersAsync(target, customerOptions.Value.PhoneRegion, ids, cancellationToken), writer,
            jsonl ? ImportFormat.JsonLines : ImportFormat.Csv, CustomerRecord.Fields, cancellationToken);
        return TypedResults.Empty;
    }

    /// <summary>
    /// Why a segment filter found nothing to filter with: no such segment, or a saved rule that no longer parses (a field
    /// it names left the language), said with the parser's words so whoever fixes the rule knows what to change.
    /// </summary>
    private static async Task<ValidationProblem> SegmentProblemAsync(SegmentService segments, long? segmentId, CancellationToken cancellationToken) =>
        segmentId is { } id && await segments.FindAsync(id, cancellationToken) is { } segment && SegmentRule.Parse(segment.Rule).Errors is [var error, ..]
            ? ApiProblems.Invalid("segmentId", "The saved rule no longer parses: " + error.Message)
            : ApiProblems.Invalid("segmentId", "no saved segment has this id");

    /// <summary>A profile; a merged profile's id answers with the profile it was merged into.</summary>
    public static async Task<Results<Ok<CustomerDto>, NotFound>> Get(CustomerProfiles profiles, long id, CancellationToken cancellationToken) =>
        await LoadAsync(profiles, id, cancellationToken) is { } dto ? TypedResults.Ok(dto) : TypedResults.NotFound();

    /// <summary>Every contact of the customer on every channel, newest first.</summary>
    public static async Task<Results<Ok<TimelinePage>, NotFound, ValidationProblem>> Timeline(CustomerTimeline timeline, TouchpointDb db, long id,
        int? page, int? pageSize, CancellationToken cancellationToken)
    {
        if (pageSize is < 1 or > CustomerTimeline.MaxPageSize)
        {
            return ApiProblems.Invalid("pageSize", $"must be between 1 and {CustomerTimeline.MaxPageSize}");
        }
        // A merged profile's history lives on the profile it was merged into (merges keep pointers one hop deep).
        var survivor = await db.Customers.Where(c => c.Id == id).Select(c => (long?)(c.MergedIntoId ?? c.Id)).FirstOrDefaultAsync(cancellationToken);
        return survivor is { } live
            ? TypedResults.Ok(await timeline.PageAsync(live, Math.Max(1, page ?? 1), pageSize ?? 25, cancellationToken))
            : TypedResults.NotFound();
    }

    /// <summary>A customers file in the body (CSV with a header row, or JSON Lines), as in docs/import-formats.md.</summary>
    public static Task<Results<Ok<FileImportResult>, ValidationProblem>> Import(HttpRequest request, CustomerIngestor ingestor, string? format,
        CancellationToken cancellationToken) =>
        FileImport.RunAsync(request, format, (path, f) => ingestor.IngestAsync(ImportFiles.ReadCustomers(path, f), cancellationToken: cancellationToken),
            cancellationToken);

    /// <summary>Finds a customer by external id, CRM id, email, phone or social handle (normalised as on ingestion).</summary>
    public static async Task<Results<Ok<CustomerDto>, NotFound, ValidationProblem>> Lookup(CustomerProfiles profiles, CustomerContextQuery context,
        string? externalId, string? email, string? phone, string? handle, CancellationToken cancellationToken)
    {
        if (new[] { externalId, email, phone, handle }.All(string.IsNullOrWhiteSpace))
        {
            return ApiProblems.Invalid("query", "give one of externalId, email, phone or handle");
        }
        return await context.FindAsync(externalId, email, phone, handle, cancellationToken) is { } id
               && await LoadAsync(profiles, id, cancellationToken) is { } dto
            ? TypedResults.Ok(dto)
            : TypedResults.NotFound();
    }

    /// <summary>Everything an agent or bot needs about the customer in one call; <paramref name="recent"/> contacts (1–200, default 20).</summary>
    public static async Task<Results<Ok<CustomerContext>, NotFound, ValidationProblem>> Context(CustomerContextQuery context, long id, int? recent,
        CancellationToken cancellationToken)
    {
        if (RecentOutOfRange(recent) is { } invalid)
        {
            return invalid;
        }
        return await context.GetAsync(id, recent ?? CustomerContextQuery.DefaultRecent, cancellationToken) is { } found
            ? TypedResults.Ok(found)
            : TypedResults.NotFound();
    }

    /// <summary>A count outside 1–200 is refused, as pageSize is, rather than quietly answered with another count.</summary>
    private static ValidationProblem? RecentOutOfRange(int? recent) => recent is < 1 or > CustomerContextQuery.MaxRecent
        ? ApiProblems.Invalid("recent", $"must be between 1 and {CustomerContextQuery.MaxRecent}")
        : null;

    public static async Task<Results<Ok<CustomerContext>, NotFound, ValidationProblem>> ContextByIdentity(CustomerContextQuery context,
        string? externalId, string? email, string? phone, string? handle, int? recent, CancellationToken cancellationToken)
    {
        if (new[] { externalId, email, phone, handle }.All(string.IsNullOrWhiteSpace))
        {
            return ApiProblems.Invalid("query", "give one of externalId, email, phone or handle");
        }
        if (RecentOutOfRange(recent) is { } invalid)
        {
            return invalid;
        }
        return await context.FindAsync(externalId, email, phone, handle, cancellationToken) is { } id
               && await context.GetAsync(id, recent ?? CustomerContextQuery.DefaultRecent, cancellationToken) is { } found
            ? TypedResults.Ok(found)
            : TypedResults.NotFound();
    }

    /// <summary>Creates or updates one customer by external id: 201 when new, 200 when it existed.</summary>
    public static async Task<Results<Created<CustomerDto>, Ok<CustomerDto>, ValidationProblem>> Upsert(CustomerIngestor ingestor,
        CustomerContextQuery context, CustomerProfiles profiles, TimeProvider time, CustomerInput input, CancellationToken cancellationToken)
    {
        var errors = input.Validate(time.GetUtcNow().UtcDateTime);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }
        var externalId = input.ExternalId.Trim();
        var summary = await ingestor.IngestAsync([new ImportRow<CustomerInput>(0, input)], cancellationToken: cancellationToken);
        if (summary.Rejections is [var rejected, ..])
        {
            // Named by its field ("email" for another customer's address), as a validation error is; else the whole customer.
            return rejected.Errors is { Count: > 0 } fields ? ApiProblems.Invalid(fields) : ApiProblems.Invalid("customer", rejected.Reason);
        }
        // The row may have landed on a profile known under another key (it then carries this one as a CRM id).
        var id = (await context.FindAsync(externalId, null, null, null, cancellationToken))!.Value;
        var dto = (await LoadAsync(profiles, id, cancellationToken))!;
        // Whether this request made the profile, as its committed write counted it: of two requests for the same new
        // customer at once, one is 201 and the other 200 (asking "does it exist?" first made both 201).
        return summary.CustomersCreated == 0 ? TypedResults.Ok(dto) : TypedResults.Created($"/api/customers/{id}", dto);
    }

    public static Task<Results<Ok<BatchResult>, ValidationProblem>> Batch(CustomerIngestor ingestor, List<CustomerInput?> inputs,
        CancellationToken cancellationToken) =>
        Batches.RunAsync(inputs, rows => ingestor.IngestAsync(rows, cancellationToken: cancellationToken));

    /// <summary>Merges customer <c>mergeCustomerId</c> into <paramref name="id"/>; both histories end up on <paramref name="id"/>.</summary>
    public static async Task<Results<Ok<MergeResult>, NotFound, ValidationProblem, ProblemHttpResult>> Merge(CustomerMerge merge, long id, MergeRequest request,
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
            MergeError.Erased => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Erased",
                detail: "One of the two profiles is an erased person's anonymous profile: merging would tie personal data to it again."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already merged",
                detail: "One of the two profiles was already merged into another."),
        };
    }

    /// <summary>
    /// Everything stored about the person <paramref name="id"/> belongs to (the profile and those merged into it), for a
    /// data subject's access request, as a JSON file. Administrators only; audited.
    /// </summary>
    public static async Task<Results<JsonHttpResult<PersonalDataExport>, NotFound>> ExportPersonalData(PersonalData personalData, long id, HttpContext http,
        CancellationToken cancellationToken)
    {
        if (await personalData.ExportAsync(id, http.User.Identity?.Name ?? "unknown", cancellationToken) is not { } export)
        {
            return TypedResults.NotFound();
        }
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"customer-{export.Profile.Id}-personal-data.json\"";
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(export);
    }

    /// <summary>
    /// Erases the person <paramref name="id"/> belongs to: identities, consents, contact details, demographics, the source
    /// system's id, transcripts, subjects and comments. Contacts, cases and scores stay as anonymous facts. Administrators only; audited.
    /// </summary>
    public static async Task<Results<Ok<ErasureResult>, NotFound>> ErasePersonalData(PersonalData personalData, long id, ClaimsPrincipal user,
        CancellationToken cancellationToken) =>
        await personalData.EraseAsync(id, user.Identity?.Name ?? "unknown", cancellationToken) is { } erased ? TypedResults.Ok(erased) : TypedResults.NotFound();

    private static async Task<CustomerDto?> LoadAsync(CustomerProfiles profiles, long id, CancellationToken cancellationToken)
    {
        if (await profiles.FindLiveAsync(id, cancellationToken) is not { } p)
        {
            return null;
        }
        var c = p.Customer;
        return new CustomerDto(c.Id, c.ExternalId, c.Name, c.Email, c.Phone, c.AccountType, c.AccountStatus, c.Plan, c.Products, c.Revenue, c.CustomerSince,
            c.City, c.Country, c.Language, c.TimeZone, c.PreferredChannel, c.QuietHoursStart, c.QuietHoursEnd, c.CreatedAt, c.UpdatedAt,
            p.Identities.Select(i => new ContextIdentity(i.Kind, i.Value)).ToList(),
            p.Consents.Select(x => new ContextConsent(x.Channel, x.Granted, x.UpdatedAt)).ToList(),
            p.Segments.Segments.Select(s => s.Name).ToList(), p.Segments.Persona?.Name, p.OpenCases, p.InteractionCount, c.ErasedAt);
    }
}
