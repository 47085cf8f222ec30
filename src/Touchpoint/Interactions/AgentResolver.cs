using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;

namespace Touchpoint.Interactions;

/// <summary>Maps agent external ids to agent ids for one ingest run, creating agents seen for the first time.</summary>
public sealed class AgentResolver(DatabaseTarget target)
{
    private readonly Dictionary<string, long> _known = new(StringComparer.Ordinal);

    /// <summary>Whether <see cref="ResolveAsync"/> would find every one of <paramref name="agents"/> without creating an agent.</summary>
    public bool KnowsAll(IReadOnlyList<(string? ExternalId, string? Name)> agents) => agents.All(a => a.ExternalId is null || _known.ContainsKey(a.ExternalId));

    public async Task<long?[]> ResolveAsync(IReadOnlyList<(string? ExternalId, string? Name)> agents, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await LookUpOrCreateAsync(agents, cancellationToken);
                break;
            }
            catch (Exception e) when (attempt < 3 && e.IsInsertConflict())
            {
                // Another writer (an API call, an import beside this one) created one of these agents after they were looked
                // up: nothing of this attempt was stored, and the next one finds it.
            }
        }
        return agents.Select(a => a.ExternalId is null ? (long?)null : _known[a.ExternalId]).ToArray();
    }

    private async Task LookUpOrCreateAsync(IReadOnlyList<(string? ExternalId, string? Name)> agents, CancellationToken cancellationToken)
    {
        var unknown = agents.Where(a => a.ExternalId is not null && !_known.ContainsKey(a.ExternalId)).Select(a => a.ExternalId!).Distinct().ToList();
        if (unknown.Count > 0)
        {
            await using var db = StorageServices.CreateDb(target);
            foreach (var chunk in unknown.Chunk(500))
            {
                foreach (var row in await db.Agents.AsNoTracking().Where(a => chunk.Contains(a.ExternalId)).Select(a => new { a.ExternalId, a.Id }).ToListAsync(cancellationToken))
                {
                    _known[row.ExternalId] = row.Id;
                }
            }
            var created = agents.Where(a => a.ExternalId is not null && !_known.ContainsKey(a.ExternalId))
                .DistinctBy(a => a.ExternalId)
                .Select(a => new Agent { ExternalId = a.ExternalId!, Name = string.IsNullOrWhiteSpace(a.Name) ? a.ExternalId! : a.Name.Trim() })
                .ToList();
            if (created.Count > 0)
            {
                db.Agents.AddRange(created);
                await db.SaveChangesAsync(cancellationToken);
                foreach (var agent in created)
                {
                    _known[agent.ExternalId] = agent.Id;
                }
            }
        }
    }
}
