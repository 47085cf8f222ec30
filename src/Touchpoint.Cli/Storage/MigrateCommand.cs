using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;

namespace Touchpoint.Cli.Storage;

/// <summary>
/// `migrate`: applies pending migrations to the configured database. Safe to run from several nodes at once:
/// EF Core holds a migration lock (a lock table on SQLite, an advisory lock on PostgreSQL) while it applies them.
/// </summary>
internal static class MigrateCommand
{
    public static Command Build()
    {
        var command = new Command("migrate", "Apply pending schema migrations to the configured database (safe on several nodes at once).");
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, ct, async (session, token) =>
        {
            await using var db = StorageServices.CreateDb(session.Target);
            var pending = (await db.Database.GetPendingMigrationsAsync(token)).ToList();
            await StorageServices.MigrateAsync(db, token);
            var applied = (await db.Database.GetAppliedMigrationsAsync(token)).Count();
            await session.Output.WriteLineAsync(pending.Count == 0
                ? $"{session.Target.Provider} database is up to date ({applied} migrations applied earlier)."
                : $"{session.Target.Provider} database migrated: {string.Join(", ", pending)}; {applied} migrations applied in total.");
            return 0;
        }));
        return command;
    }
}
