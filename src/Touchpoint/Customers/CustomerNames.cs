using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Storage;

namespace Touchpoint.Customers;

/// <summary>Names as search compares them: "Zoë Müller" is found by "zoe muller", as people type it without accents.</summary>
public static class CustomerNames
{
    /// <summary>Lower case, accents and other marks removed, and the letters that are not a base letter plus a mark spelled out.</summary>
    public static string Fold(string name)
    {
        var decomposed = name.ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var folded = new StringBuilder(decomposed.Length);
        foreach (var ch in decomposed)
        {
            switch (ch)
            {
                case 'ß': folded.Append("ss"); break;
                case 'æ': folded.Append("ae"); break;
                case 'œ': folded.Append("oe"); break;
                case 'ø': folded.Append('o'); break;
                case 'ł': folded.Append('l'); break;
                case 'đ': folded.Append('d'); break;
                case 'ı': folded.Append('i'); break;
                default:
                    if (CharUnicodeInfo.GetUnicodeCategory(ch) != UnicodeCategory.NonSpacingMark)
                    {
                        folded.Append(ch);
                    }
                    break;
            }
        }
        return folded.ToString().Normalize(NormalizationForm.FormC);
    }

    /// <summary>Fills <see cref="Customer.SearchName"/> of rows stored before it existed; run after migrating.</summary>
    public static async Task FillMissingAsync(TouchpointDb db, CancellationToken cancellationToken)
    {
        while (true)
        {
            var customers = await db.Customers.Where(c => c.SearchName == null).OrderBy(c => c.Id).Take(5000).ToListAsync(cancellationToken);
            if (customers.Count == 0)
            {
                return;
            }
            // Saving folds the name (TouchpointDb.SaveChanges); marking the rows modified is enough.
            foreach (var customer in customers)
            {
                db.Entry(customer).Property(c => c.SearchName).IsModified = true;
            }
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }
    }
}
