using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Demo;
using Touchpoint.Customers;
using Touchpoint.Interactions;
using Touchpoint.Storage;

namespace Touchpoint.Bench;

/// <summary>Times the default demo data set into a fresh SQLite file (the work `dotnet run` does on first start).</summary>
internal static class DemoBench
{
    public static async Task RunAsync(string[] args)
    {
        var file = Path.Combine(Path.GetTempPath(), $"touchpoint-demo-bench-{Guid.NewGuid():N}.db");
        var target = new DatabaseTarget(DatabaseProvider.Sqlite, $"Data Source={file}");
        await using (var db = StorageServices.CreateDb(target))
        {
            await db.Database.MigrateAsync();
        }
        var customers = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : DemoSize.Default.Customers;
        var stopwatch = Stopwatch.StartNew();
        var summary = await new DemoDataGenerator(target, Options.Create(new InteractionOptions()), Options.Create(new CustomerOptions()), TimeProvider.System)
            .GenerateAsync(DemoSize.Default with { Customers = customers });
        stopwatch.Stop();
        Console.WriteLine($"demo: {summary.Customers:N0} customers, {summary.Agents:N0} agents, {summary.Interactions:N0} interactions, {summary.Cases:N0} cases, {summary.Feedback:N0} feedback in {stopwatch.Elapsed.TotalSeconds:F1} s; file {new FileInfo(file).Length / 1024 / 1024} MiB");
        File.Delete(file);
    }
}
