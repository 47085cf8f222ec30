using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Customers.Segments;
using Touchpoint.Feedback;
using Touchpoint.Interactions;
using Touchpoint.Storage;

namespace Touchpoint.Customers;

/// <summary>An open case of a profile with the channels its contacts used, first channel first.</summary>
public sealed record OpenCaseSummary(long Id, string ExternalId, string? Reason, string? Subject, DateTime OpenedAt, DateTime LastContactAt,
    int ContactCount, int ChannelSwitches, IReadOnlyList<Channel> Channels);

public sealed record FeedbackSummary(long Id, FeedbackKind Kind, int Score, string? Comment, DateTime RespondedAt, long? InteractionId);

/// <summary>Everything the customer 360 page shows apart from the timeline.</summary>
public sealed record CustomerProfile(
    Customer Customer,
    IReadOnlyList<CustomerIdentity> Identities,
    IReadOnlyList<ChannelConsent> Consents,
    CustomerSegments Segments,
    IReadOnlyList<OpenCaseSummary> OpenCases,
    IReadOnlyList<FeedbackSummary> RecentFeedback,
    int InteractionCount,
    int ClosedUnresolvedCases);

/// <summary>The result of looking a profile up: the profile, or the survivor it was merged into, or nothing.</summary>
public sealed record CustomerLookup(CustomerProfile? Profile, long? MergedIntoId)
{
    public static readonly CustomerLookup NotFound = new(null, null);
}

/// <summary>Reads one customer's profile for the 360 page and the API; every query filters on the customer id.</summary>
public sealed class CustomerProfiles(TouchpointDb db, SegmentService segments, TimeProvider time, IOptions<InteractionOptions> options)
{
    private readonly InteractionOptions _options = options.Value;

    public const int RecentFeedbackCount = 5;

    public async Task<CustomerLookup> FindAsync(long id, CancellationToken cancellationToken = default)
    {
        var customer = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (customer is null)
        {
            return CustomerLookup.NotFound;
        }
        if (customer.MergedIntoId is { } survivor)
        {
            return new CustomerLookup(null, await SurvivorAsync(survivor, cancellationToken));
        }

        var identities = await db.CustomerIdentities.AsNoTracking().Where(i => i.CustomerId == id)
            .OrderBy(i => i.Kind).ThenBy(i => i.Value).ToListAsync(cancellationToken);
        var consents = await db.ChannelConsents.AsNoTracking().Where(c => c.CustomerId == id).ToListAsync(cancellationToken);
        // Stored open with a last contact older than that: closed unresolved (InteractionOptions.CaseStatusAt), counted, not listed.
        var openSince = _options.CasesOpenSince(time.GetUtcNow().UtcDateTime);
        var openCases = await db.Cases.AsNoTracking().Where(c => c.CustomerId == id && c.Status == CaseStatus.Open && c.LastContactAt >= openSince)
            .OrderByDescending(c => c.LastContactAt).ToListAsync(cancellationToken);
        var closedUnresolved = await db.Cases.CountAsync(c => c.CustomerId == id && c.Status == CaseStatus.Open && c.LastContactAt < openSince, cancellationToken);
        var caseIds = openCases.Select(c => (long?)c.Id).ToList();
        var caseChannels = caseIds.Count == 0
            ? []
            : await db.Interactions.AsNoTracking().Where(i => i.CustomerId == id && caseIds.Contains(i.CaseId))
                .OrderBy(i => i.StartedAt).Select(i => new { i.CaseId, i.Channel }).ToListAsync(cancellationToken);
        var feedback = await db.Feedback.AsNoTracking().Where(f => f.CustomerId == id)
            .OrderByDescending(f => f.RespondedAt).Take(RecentFeedbackCount)
            .Select(f => new FeedbackSummary(f.Id, f.Kind, f.Score, f.Comment, f.RespondedAt, f.InteractionId))
            .ToListAsync(cancellationToken);
        var interactionCount = await db.Interactions.CountAsync(i => i.CustomerId == id, cancellationToken);

        var open = openCases.Select(c => new OpenCaseSummary(c.Id, c.ExternalId, c.Reason, c.Subject, c.OpenedAt, c.LastContactAt,
            c.ContactCount, c.ChannelSwitches,
            caseChannels.Where(x => x.CaseId == c.Id).Select(x => x.Channel).Distinct().ToList())).ToList();
        return new CustomerLookup(new CustomerProfile(customer,
            identities,
            consents.OrderBy(c => c.Channel).ToList(),
            await segments.ForCustomerAsync(id, cancellationToken),
            open,
            feedback,
            interactionCount,
            closedUnresolved), null);
    }

    /// <summary>The profile of <paramref name="id"/>, or of the profile it was merged into (API and context follow merges).</summary>
    public async Task<CustomerProfile?> FindLiveAsync(long id, CancellationToken cancellationToken = default)
    {
        var lookup = await FindAsync(id, cancellationToken);
        if (lookup.MergedIntoId is { } survivor)
        {
            lookup = await FindAsync(survivor, cancellationToken);
        }
        return lookup.Profile;
    }

    /// <summary>Follows a chain of merges (A into B, later B into C) to the profile that is still live.</summary>
    private async Task<long> SurvivorAsync(long id, CancellationToken cancellationToken)
    {
        for (var hops = 0; hops < 16; hops++)
        {
            var next = await db.Customers.Where(c => c.Id == id).Select(c => c.MergedIntoId).FirstOrDefaultAsync(cancellationToken);
            if (next is not { } n)
            {
                return id;
            }
            id = n;
        }
        return id;
    }
}
