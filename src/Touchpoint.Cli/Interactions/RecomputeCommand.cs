using System.CommandLine;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Touchpoint.Interactions;
using Touchpoint.Storage;

namespace Touchpoint.Cli.Interactions;

/// <summary>
/// `recompute [--customer ID]...`: derives cases, repeat contacts, FCR, channel switches and SLA again from the stored
/// interactions, for every customer or the ones named. For after an import that failed before its end (which leaves
/// the customers another writer changed mid-run as derived without those rows), or after the repeat window or SLA
/// targets changed. Idempotent: a customer whose facts are right is read and left alone. `recompute --pending` derives
/// only the customers an import marked as written without being derived and did not get to derive. `recompute
/// --phone-keys` gives stored phone identities today's key (PhoneKeys.RekeyStoredAsync).
/// </summary>
internal static class RecomputeCommand
{
    private const int CustomersPerStep = 2_000;

    public static Command Build()
    {
        var customers = new Option<string[]>("--customer")
        {
            Description = "External id of a customer to recompute (repeatable; default: every customer).",
            AllowMultipleArgumentsPerToken = true,
        };
        var pending = new Option<bool>("--pending")
        {
            Description = "Only the customers an import wrote without deriving them and did not get to derive (it failed before its end).",
        };
        var phoneKeys = new Option<bool>("--phone-keys")
        {
            Description = "Only re-key the stored phone numbers for Customers:PhoneRegion (after upgrading from a version that stored bare digits, or after changing the region).",
        };
        var command = new Command("recompute", "Derive cases, repeat contacts, FCR, channel switches and SLA again from the stored interactions.") { customers, pending, phoneKeys };
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, ct, async (session, token) =>
        {
            await session.EnsureSchemaAsync(token);
            if (parse.GetValue(phoneKeys))
            {
                var region = session.Get<IOptions<Touchpoint.Customers.CustomerOptions>>().Value.PhoneRegion;
                var (read, changed, held) = await Touchpoint.Customers.PhoneKeys.RekeyStoredAsync(session.Target, region, token);
                await session.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"Read {read:N0} phone numbers ({region}): {changed:N0} re-keyed, {held:N0} left as they were because another profile holds the number (merge the two to join them)."));
                return 0;
            }
            if (parse.GetValue(pending))
            {
                var begun = System.Diagnostics.Stopwatch.StartNew();
                var (count, result) = await new InteractionDerivations(session.Target, session.Get<IOptions<InteractionOptions>>().Value)
                    .RecomputePendingAsync(null, token);
                await session.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"Recomputed {count:N0} pending customers ({result.Cases:N0} cases) in {begun.Elapsed.TotalSeconds:F1} s."));
                return 0;
            }
            var named = parse.GetValue(customers) ?? [];
            List<long> ids;
            await using (var db = StorageServices.CreateDb(session.Target))
            {
                var query = db.Customers.AsNoTracking().Where(c => c.MergedIntoId == null);
                if (named.Length > 0)
                {
                    query = query.Where(c => named.Contains(c.ExternalId));
                }
                ids = await query.OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(token);
            }
            if (named.Length > ids.Count)
            {
                await session.Error.WriteLineAsync($"{named.Length - ids.Count} of the named customers do not exist (or were merged into another).");
                return 1;
            }
            var derivations = new InteractionDerivations(session.Target, session.Get<IOptions<InteractionOptions>>().Value);
            var started = System.Diagnostics.Stopwatch.StartNew();
            long cases = 0;
            async Task RecomputeAllAsync(Action<int> advanced)
            {
                foreach (var step in ids.Chunk(CustomersPerStep))
                {
                    cases += (await derivations.RecomputeAsync(step, token)).Cases;
                    advanced(step.Length);
                }
            }
            if (session.Interactive)
            {
                await session.Console.Progress().AutoClear(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask("customers", maxValue: Math.Max(1, ids.Count));
                        await RecomputeAllAsync(n => task.Increment(n));
                    });
            }
            else
            {
                await RecomputeAllAsync(_ => { });
            }
            await session.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Recomputed {ids.Count:N0} customers ({cases:N0} cases) in {started.Elapsed.TotalSeconds:F1} s."));
            return 0;
        }));
        return command;
    }
}
