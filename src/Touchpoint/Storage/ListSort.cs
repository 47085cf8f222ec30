using System.Linq.Expressions;
using System.Text.Json;

namespace Touchpoint.Storage;

/// <summary>
/// A list's order as a link or an API call writes it: the column's key (<c>lastContactAt</c>), with a leading <c>-</c>
/// for descending (<c>-lastContactAt</c>). The keys are the camelCase names of <typeparamref name="TKey"/>'s members,
/// which are the JSON names of the columns the lists answer.
/// </summary>
public readonly record struct ListSort<TKey>(TKey Key, bool Descending) where TKey : struct, Enum
{
    /// <summary>The text for a link or a query string: <c>name</c>, <c>-startedAt</c>.</summary>
    public override string ToString() => (Descending ? "-" : "") + KeyName(Key);

    public static string KeyName(TKey key) => JsonNamingPolicy.CamelCase.ConvertName(key.ToString());

    /// <summary>Every value <see cref="TryParse"/> takes, ascending and descending, in column order.</summary>
    public static IReadOnlyList<string> Accepted { get; } =
        [.. Enum.GetValues<TKey>().SelectMany(k => new[] { KeyName(k), "-" + KeyName(k) })];

    /// <summary>Reads <c>key</c> or <c>-key</c>, the key in any case; numbers and unknown names are refused.</summary>
    public static bool TryParse(string? text, out ListSort<TKey> sort)
    {
        sort = default;
        var value = text?.Trim() ?? "";
        var descending = value.StartsWith('-');
        var name = descending ? value[1..] : value;
        // Enum.TryParse takes "2" and "Name,Plan" as members; a column is named by letters only.
        if (name.Length == 0 || !name.All(char.IsAsciiLetter) || !Enum.TryParse(name, ignoreCase: true, out TKey key))
        {
            return false;
        }
        sort = new ListSort<TKey>(key, descending);
        return true;
    }
}

/// <summary>Ordering in one direction chosen at run time; the query stays a LINQ expression EF Core translates.</summary>
public static class SortDirection
{
    public static IOrderedQueryable<T> SortBy<T, TValue>(this IQueryable<T> source, Expression<Func<T, TValue>> key, bool descending) =>
        descending ? source.OrderByDescending(key) : source.OrderBy(key);

    public static IOrderedQueryable<T> ThenSortBy<T, TValue>(this IOrderedQueryable<T> source, Expression<Func<T, TValue>> key, bool descending) =>
        descending ? source.ThenByDescending(key) : source.ThenBy(key);
}
