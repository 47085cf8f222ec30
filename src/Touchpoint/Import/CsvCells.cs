namespace Touchpoint.Import;

/// <summary>
/// The apostrophe our CSV exports put before a cell a spreadsheet would run as a formula (CsvHelper's injection
/// escape), taken off again on import, so an exported file opens safely and still imports unchanged.
/// </summary>
public static class CsvCells
{
    private static bool StartsFormula(char c) => c is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>Whether <paramref name="value"/> is apostrophes followed by a formula character ("'=x", "''=x").</summary>
    private static bool IsQuotedFormula(string value)
    {
        var quotes = 0;
        while (quotes < value.Length && value[quotes] == '\'')
        {
            quotes++;
        }
        return quotes > 0 && quotes < value.Length && StartsFormula(value[quotes]);
    }

    /// <summary>The value as stored: the first of the apostrophes before a formula character is the export's guard.</summary>
    public static string WithoutFormulaGuard(string value) => IsQuotedFormula(value) ? value[1..] : value;

    /// <summary>
    /// A value that itself begins with apostrophes and a formula character ("'=x") gets one more, which the importer
    /// takes off: without it the import would take the value's own apostrophe for the guard.
    /// </summary>
    public static string? KeepLeadingApostrophe(string? value) => value is not null && IsQuotedFormula(value) ? "'" + value : value;
}
