using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;

namespace Touchpoint.Tests.Storage;

/// <summary>
/// The index the default list order relies on is the one the database picks for the SQL EF Core writes. The other sorts
/// (channel, handle time, queue, customer, agent) have no index of their own on purpose: each index on interactions
/// slows every import, and three for the handle-time and queue sorts made the 1,000,000-row import 1.35 times as slow.
/// </summary>
public sealed class ListIndexTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task InteractionList_SortedByTime_WalksTheStartedAtIndex(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateDb();
        var query = InteractionSearch.Sorted(db.Interactions.AsNoTracking(), InteractionSearch.DefaultSort).Take(51).ToSummaries();
        Assert.Contains("IX_interactions_started_at", await PlanAsync(db, query.ToQueryString()), StringComparison.Ordinal);
    }

    /// <summary>
    /// The plan of <paramref name="sql"/> (ToQueryString's text, its parameter lines replaced by the value). PostgreSQL is
    /// told to avoid sorting, as it would on an empty table where sorting nothing is cheapest; an index it cannot use for
    /// the order is still not in the plan.
    /// </summary>
    private static async Task<string> PlanAsync(TouchpointDb db, string sql)
    {
        var lines = sql.Split('\n');
        var limit = lines.Select(l => l.Trim()).Where(l => l.StartsWith(".param set @p ", StringComparison.Ordinal) || l.StartsWith("-- @p='", StringComparison.Ordinal))
            .Select(l => l.Replace(".param set @p ", "", StringComparison.Ordinal).Replace("-- @p='", "", StringComparison.Ordinal).TrimEnd('\''))
            .Single();
        var body = string.Join('\n', lines.Where(l => !l.TrimStart().StartsWith(".param", StringComparison.Ordinal) && !l.TrimStart().StartsWith("--", StringComparison.Ordinal)))
            .Replace("@p", limit, StringComparison.Ordinal);
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync(Ct);
        }
        if (db.Provider == DatabaseProvider.Postgres)
        {
            await ExecuteAsync(connection, "SET enable_sort = off; SET enable_seqscan = off");
        }
        await using var command = connection.CreateCommand();
        command.CommandText = (db.Provider == DatabaseProvider.Sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + body;
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var plan = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            plan.Add(reader.GetString(reader.FieldCount - 1));
        }
        return string.Join('\n', plan);
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }
}
