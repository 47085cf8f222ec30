namespace Touchpoint.Storage.Bulk;

/// <summary>
/// Shared boxes for the small values bulk rows are full of (flags, counts, seconds): a million rows would
/// otherwise allocate millions of identical boxes, and the cases a run keeps in memory would hold them all.
/// </summary>
internal static class Boxes
{
    private const int CachedInts = 4096;
    private static readonly object True = true;
    private static readonly object False = false;
    private static readonly object[] Ints = Enumerable.Range(0, CachedInts).Select(i => (object)i).ToArray();

    public static object Of(bool value) => value ? True : False;

    public static object? Of(bool? value) => value is { } v ? Of(v) : null;

    public static object Of(int value) => (uint)value < CachedInts ? Ints[value] : value;

    public static object? Of(int? value) => value is { } v ? Of(v) : null;
}
