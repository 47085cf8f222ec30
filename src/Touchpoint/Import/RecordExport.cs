using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Customers;
using Touchpoint.Storage;

namespace Touchpoint.Import;

/// <summary>
/// Streams customers and interactions out of the store in the import file formats, page by page in id order,
/// so an export of any size runs in constant memory and its output can be imported again unchanged.
/// </summary>
public static class RecordExport
{
    private const int PageSize = 2_000;

    public static async IAsyncEnumerable<InteractionRecord> InteractionsAsync(DatabaseTarget target,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long last = 0;
        while (true)
        {
            await using var db = StorageServices.CreateDb(target);
            var page = await db.Interactions.AsNoTracking().Where(i => i.Id > last).OrderBy(i => i.Id).Take(PageSize)
                .Select(i => new
                {
                    i.Id,
                    Record = new InteractionRecord
                    {
                        ExternalId = i.ExternalId,
                        CustomerExternalId = i.Customer!.ExternalId,
                        Channel = i.Channel,
                        Direction = i.Direction,
                        StartedAt = i.StartedAt,
                        EndedAt = i.EndedAt,
                        AgentExternalId = i.Agent != null ? i.Agent.ExternalId : null,
                        AgentName = i.Agent != null ? i.Agent.Name : null,
                        Queue = i.Queue,
                        FirstResponseSeconds = i.FirstResponseSeconds,
                        TalkSeconds = i.TalkSeconds,
                        HoldSeconds = i.HoldSeconds,
                        WrapSeconds = i.WrapSeconds,
                        Transfers = i.Transfers,
                        Reason = i.Reason,
                        Outcome = i.Outcome,
                        Subject = i.Subject,
                        CaseExternalId = i.CaseExternalId,
                    },
                }).ToListAsync(cancellationToken);
            if (page.Count == 0)
            {
                yield break;
            }
            var first = page[0].Id;
            last = page[^1].Id;
            var messages = (await db.Messages.AsNoTracking().Where(m => m.InteractionId >= first && m.InteractionId <= last)
                    .OrderBy(m => m.InteractionId).ThenBy(m => m.Sequence)
                    .Select(m => new { m.InteractionId, m.Author, m.At, m.Text }).ToListAsync(cancellationToken))
                .ToLookup(m => m.InteractionId);
            foreach (var row in page)
            {
                if (messages.Contains(row.Id))
                {
                    row.Record.Messages = messages[row.Id].Select(m => new MessageRecord { Author = m.Author, At = m.At, Text = m.Text }).ToList();
                }
                yield return row.Record;
            }
        }
    }

    /// <summary>Every customer in id order, or only those of <paramref name="ids"/> in their order (the list's, as <c>CustomerSearch.IdsAsync</c> gives them).</summary>
    /// <remarks>
    /// Identities beyond the email, phone, handle and CRM id columns go to other_identities, except, in a whole export,
    /// those its merged profiles' rows carry in their own columns: importing such a row creates the merged profile and
    /// merges it, which brings them back, and a survivor listing them first would take that row for itself.
    /// </remarks>
    public static async IAsyncEnumerable<CustomerRecord> CustomersAsync(DatabaseTarget target, string phoneRegion, IReadOnlyList<long>? ids = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long last = 0;
        var offset = 0;
        while (ids is null || offset < ids.Count)
        {
            await using var db = StorageServices.CreateDb(target);
            var customers = db.Customers.AsNoTracking().Include(c => c.Identities).Include(c => c.Consents).AsSplitQuery();
            List<long>? some = null;
            if (ids is null)
            {
                customers = customers.Where(c => c.Id > last);
            }
            else
            {
                some = ids.Skip(offset).Take(PageSize).ToList();
                offset += some.Count;
                customers = customers.Where(c => some.Contains(c.Id));
            }
            var page = await customers.OrderBy(c => c.Id).Take(PageSize).ToListAsync(cancellationToken);
            if (page.Count == 0 && ids is null)
            {
                yield break;
            }
            last = page.Count > 0 ? page[^1].Id : last;
            if (some is not null)
            {
                // Back in the caller's order (a sorted list's), which the IN query does not keep.
                var position = some.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
                page = [.. page.OrderBy(c => position[c.Id])];
            }
            // A merged profile names the one it was merged into (merges keep pointers one hop deep: a live profile).
            var survivorIds = page.Where(c => c.MergedIntoId is not null).Select(c => c.MergedIntoId!.Value).Distinct().ToList();
            var survivors = survivorIds.Count == 0
                ? []
                : await db.Customers.AsNoTracking().Where(c => survivorIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.ExternalId, cancellationToken);
            var carriedByAliases = new HashSet<(long, IdentityKind, string)>();
            if (ids is null)
            {
                var live = page.Where(c => c.MergedIntoId is null).Select(c => c.Id).ToList();
                foreach (var alias in await db.Customers.AsNoTracking().Where(a => a.MergedIntoId != null && live.Contains(a.MergedIntoId.Value))
                             .Select(a => new { Survivor = a.MergedIntoId!.Value, a.ExternalId, a.Email, a.Phone }).ToListAsync(cancellationToken))
                {
                    carriedByAliases.Add((alias.Survivor, IdentityKind.Crm, alias.ExternalId));
                    foreach (var (kind, value) in new[] { (IdentityKind.Email, alias.Email), (IdentityKind.Phone, alias.Phone) })
                    {
                        if (!string.IsNullOrWhiteSpace(value))
                        {
                            carriedByAliases.Add((alias.Survivor, kind, CustomerIdentity.Normalize(kind, value, phoneRegion)));
                        }
                    }
                }
            }
            foreach (var c in page)
            {
                yield return ToRecord(c, c.MergedIntoId is { } into ? survivors.GetValueOrDefault(into) : null, phoneRegion, carriedByAliases);
            }
        }
    }

    private static CustomerRecord ToRecord(Customer c, string? mergedInto, string phoneRegion, HashSet<(long, IdentityKind, string)> carriedByAliases)
    {
        // Not one a merged profile's row carries: the survivor's row, imported first, would take it, and the merged row,
        // found by it, would land on the survivor instead of being created and merged.
        string? Identity(IdentityKind kind) => c.Identities.Where(i => i.Kind == kind && (kind != IdentityKind.Crm || i.Value != c.ExternalId)
                && !carriedByAliases.Contains((c.Id, i.Kind, i.Value)))
            .OrderBy(i => i.Id).Select(i => i.Value).FirstOrDefault();
        // The profile's own email and phone, unless a merge filled them from a merged profile whose row carries them.
        string? Own(IdentityKind kind, string? column) =>
            string.IsNullOrWhiteSpace(column) || carriedByAliases.Contains((c.Id, kind, CustomerIdentity.Normalize(kind, column, phoneRegion))) ? Identity(kind) : column;
        var (email, phone, handle, crmId) = (Own(IdentityKind.Email, c.Email), Own(IdentityKind.Phone, c.Phone),
            Identity(IdentityKind.Social), Identity(IdentityKind.Crm));
        var inColumns = new HashSet<(IdentityKind, string)> { (IdentityKind.Crm, c.ExternalId) };
        foreach (var (kind, value) in new[] { (IdentityKind.Email, email), (IdentityKind.Phone, phone), (IdentityKind.Social, handle), (IdentityKind.Crm, crmId) })
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                inColumns.Add((kind, CustomerIdentity.Normalize(kind, value, phoneRegion)));
            }
        }
        var others = c.Identities.Where(i => !inColumns.Contains((i.Kind, i.Value)) && !carriedByAliases.Contains((c.Id, i.Kind, i.Value)))
            .OrderBy(i => i.Id).Select(i => i.Kind switch
            {
                IdentityKind.Email => "email:" + i.Value,
                IdentityKind.Phone => "phone:" + i.Value,
                IdentityKind.Social => "social:@" + i.Value,
                _ => "crm:" + i.Value,
            })
            .ToList();
        return new CustomerRecord
        {
            ExternalId = c.ExternalId,
            Name = c.Name,
            Email = email,
            Phone = phone,
            SocialHandle = handle,
            CrmId = crmId,
            OtherIdentities = others.Count == 0 ? null : others,
            BirthYear = c.BirthYear,
            Gender = c.Gender,
            City = c.City,
            Country = c.Country,
            AccountType = c.AccountType,
            AccountStatus = c.AccountStatus,
            Plan = c.Plan,
            Products = c.Products.Length == 0 ? null : c.Products.Split(',').ToList(),
            Revenue = c.Revenue,
            CustomerSince = c.CustomerSince,
            Language = c.Language,
            PreferredChannel = c.PreferredChannel,
            QuietHoursStart = c.QuietHoursStart,
            QuietHoursEnd = c.QuietHoursEnd,
            TimeZone = c.TimeZone,
            Consents = c.Consents.Count == 0 ? null : c.Consents.OrderBy(x => x.Channel).ToDictionary(x => x.Channel, x => x.Granted),
            // Each decision's date: imported elsewhere, each consent stands as of when it was given, not of the import
            // (one date for all gave an old decision the newest one's date, and it could undo a later one stored there).
            ConsentDates = c.Consents.Count == 0 ? null : c.Consents.OrderBy(x => x.Channel).ToDictionary(x => x.Channel, x => x.UpdatedAt),
            MergedInto = mergedInto,
        };
    }

    /// <summary>Writes records as CSV (header row, columns in <paramref name="fields"/> order) or JSON Lines; returns the count.</summary>
    public static async Task<long> WriteAsync<TRecord>(IAsyncEnumerable<TRecord> records, TextWriter output, ImportFormat format,
        IReadOnlyList<RecordField<TRecord>> fields, CancellationToken cancellationToken = default)
    {
        long count = 0;
        if (format == ImportFormat.JsonLines)
        {
            await foreach (var record in records.WithCancellation(cancellationToken))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(record, ImportJson.Options).AsMemory(), cancellationToken);
                count++;
            }
            await output.FlushAsync(cancellationToken);
            return count;
        }
        // A cell a spreadsheet would run as a formula (=, +, -, @, tab, return first: "=HYPERLINK(…)" in a name, a "+44…"
        // phone) is written after an apostrophe, which spreadsheets show as text; the importer takes the apostrophe off.
        var config = new CsvHelper.Configuration.CsvConfiguration(CultureInfo.InvariantCulture) { InjectionOptions = CsvHelper.Configuration.InjectionOptions.Escape };
        await using var csv = new CsvWriter(output, config, leaveOpen: true);
        foreach (var field in fields)
        {
            csv.WriteField(field.Name);
        }
        await csv.NextRecordAsync();
        await foreach (var record in records.WithCancellation(cancellationToken))
        {
            foreach (var field in fields)
            {
                csv.WriteField(CsvCells.KeepLeadingApostrophe(field.Format(record)));
            }
            await csv.NextRecordAsync();
            count++;
        }
        await csv.FlushAsync();
        return count;
    }
}
