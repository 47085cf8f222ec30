using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;
using Touchpoint.Customers;
using Touchpoint.Storage;

namespace Touchpoint.Cli.Customers;

/// <summary>
/// `personal-data export|erase CUSTOMER`: a data subject's access request and erasure from a script, as an administrator
/// does them on the 360 page or through the API; audited under "cli:" and the operating-system user.
/// </summary>
internal static class PersonalDataCommands
{
    /// <summary>The JSON the API answers: camelCase, values by name.</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static Command Build()
    {
        var command = new Command("personal-data", "A person's data: export everything stored about them, or erase it (data subject requests).");
        command.Subcommands.Add(Export());
        command.Subcommands.Add(Erase());
        return command;
    }

    private static Argument<string> CustomerArgument() => new("customer")
    {
        Description = "The customer: external id, CRM id, email, phone, @handle, or the profile number (as in /customers/125; #125 means only that).",
    };

    private static Command Export()
    {
        var customer = CustomerArgument();
        var output = new Option<FileInfo?>("--out", "-o") { Description = "File to write (default: standard output)." };
        var command = new Command("export", "Write everything stored about the person as JSON: profiles, identities, consents, contacts with transcripts, cases, feedback.")
        {
            customer, output,
        };
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, ct, async (session, token) =>
        {
            await session.EnsureSchemaAsync(token);
            var id = await FindAsync(session, parse.GetRequiredValue(customer), token);
            var file = parse.GetValue(output);
            // Opened before the export is read and audited: a path that cannot be written must not log data as given out.
            await using var stream = file is null ? null : new FileStream(file.FullName, FileMode.Create, FileAccess.Write);
            var export = (await session.Get<PersonalData>().ExportAsync(id, Actor, token))!;
            var json = JsonSerializer.Serialize(export, Json);
            if (stream is not null)
            {
                await using (var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true))
                {
                    await writer.WriteAsync((json + "\n").AsMemory(), token);
                }
                await session.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"Exported the personal data of customer #{export.Profile.Id} ({export.Interactions.Count:N0} interactions, {export.Feedback.Count:N0} feedback responses) to {file!.FullName}"));
            }
            else
            {
                await session.Output.WriteLineAsync(json);
            }
            return 0;
        }));
        return command;
    }

    private static Command Erase()
    {
        var customer = CustomerArgument();
        var yes = new Option<bool>("--yes") { Description = "Erase: without it the command only says what it would erase." };
        var command = new Command("erase", "Erase the person's identities, consents, contact details, demographics, transcripts, subjects and comments; contacts, cases and scores stay as anonymous facts.")
        {
            customer, yes,
        };
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, ct, async (session, token) =>
        {
            await session.EnsureSchemaAsync(token);
            var id = await FindAsync(session, parse.GetRequiredValue(customer), token);
            if (!parse.GetValue(yes))
            {
                // Cannot be undone, so a typo in a script must not do it.
                await using var db = StorageServices.CreateDb(session.Target);
                var who = await db.Customers.Where(c => c.Id == id).Select(c => new { c.Name, Contacts = db.Interactions.Count(i => i.CustomerId == id) })
                    .SingleAsync(token);
                await session.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"This would erase the personal data of customer #{id} ({who.Name}, {who.Contacts:N0} contacts) and cannot be undone: run again with --yes."));
                return 1;
            }
            var erased = (await session.Get<PersonalData>().EraseAsync(id, Actor, token))!;
            var table = new Table().Title($"Erased customer #{erased.CustomerId}").AddColumn("").AddColumn(new TableColumn("removed").RightAligned());
            foreach (var (label, value) in new (string, int)[]
                     {
                         ("profiles anonymised", erased.Profiles), ("identities", erased.Identities), ("consents", erased.Consents),
                         ("transcript messages", erased.Messages), ("subjects and comments cleared", erased.TextsCleared),
                     })
            {
                table.AddRow(label, value.ToString("N0", CultureInfo.InvariantCulture));
            }
            session.Console.Write(table);
            return 0;
        }));
        return command;
    }

    private static string Actor => "cli:" + Environment.UserName;

    /// <summary>
    /// The live profile a key names: an external id, CRM id, email, phone, handle or profile number ("#125" is only the
    /// profile number). A key that names two people (the external id "1" and profile #1, one's id and another's handle)
    /// is refused naming both: erasing whichever came first in the lookup could erase the wrong person.
    /// </summary>
    private static async Task<long> FindAsync(CliSession session, string text, CancellationToken token)
    {
        var key = text.Trim();
        var numberOnly = key.StartsWith('#');
        var digits = numberOnly ? key[1..] : key;
        var readings = new List<(long Id, string As)>();
        if (!numberOnly)
        {
            var context = session.Get<CustomerContextQuery>();
            foreach (var (found, reading) in new[]
                     {
                         (await context.FindAsync(key, null, null, null, token), "external id or CRM id"),
                         (await context.FindAsync(null, key, null, null, token), "email"),
                         (await context.FindAsync(null, null, key, null, token), "phone"),
                         (await context.FindAsync(null, null, null, key, token), "handle"),
                     })
            {
                if (found is { } id && readings.All(r => r.Id != id))
                {
                    readings.Add((id, reading));
                }
            }
        }
        if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            await using var db = StorageServices.CreateDb(session.Target);
            if (await db.Customers.Where(c => c.Id == number).Select(c => (long?)(c.MergedIntoId ?? c.Id)).FirstOrDefaultAsync(token) is { } id
                && readings.All(r => r.Id != id))
            {
                readings.Add((id, "profile number"));
            }
        }
        return readings switch
        {
            [var one] => one.Id,
            [] => throw new CliException($"no customer is known as '{key}' (external id, CRM id, email, phone, @handle or profile number)"),
            _ => throw new CliException($"'{key}' names more than one customer: {string.Join(", ", readings.Select(r => $"#{r.Id} ({r.As})"))}; " +
                $"give #NUMBER for a profile number, or another of the person's keys"),
        };
    }
}
