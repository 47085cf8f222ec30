using System.Text;
using Touchpoint.Import;

namespace Touchpoint.Tests.Cli;

/// <summary>Rejections said in words a person acts on, without the JSON parser's location suffix or unprintable characters.</summary>
public sealed class ImportReaderWordsTests
{
    [Fact]
    public void Csv_InUtf16WithoutAByteOrderMark_IsRejectedAtLine1SayingSo()
    {
        // Read as UTF-8 the header held a NUL after every letter, and the message listed them: "e\0x\0t\0...".
        var bytes = Encoding.Unicode.GetBytes("external_id,name\nc-1,Ann\n");
        using var text = ImportFiles.OpenText(new MemoryStream(bytes));

        var row = Assert.Single(ImportFiles.ReadCustomers(text, ImportFormat.Csv));

        Assert.Equal((1L, 1), (row.Line, row.Column));
        Assert.Equal("the file seems to be UTF-16 without a byte order mark: save it as UTF-8", row.Error);
    }

    [Fact]
    public void Csv_AMessagesCellThatIsNotJson_SaysSoWithoutTheParsersLocation()
    {
        const string csv = "external_id,customer_email,channel,started_at,messages\ni-1,a@example.com,chat,2026-03-02,not json\n";

        var row = Assert.Single(ImportFiles.ReadInteractions(new StringReader(csv), ImportFormat.Csv));

        Assert.Equal(5, row.Column);
        Assert.StartsWith("messages: is not a JSON array of {\"author\", \"at\", \"text\"} objects", row.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", row.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Path: $", row.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_TwoFilesJoinedIntoOne_TheSecondHeaderIsRejected_NotStoredAsACustomer()
    {
        // cat a.csv b.csv: the second header (with its byte order mark) became a customer "\uFEFFexternal_id" named "name" on plan "plan".
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("external_id,name,plan\nc-1,Ann,basic\n"))
            .Concat(Encoding.UTF8.GetPreamble()).Concat(Encoding.UTF8.GetBytes("External ID,Name,Plan\nc-2,Bob,basic\n")).ToArray();
        using var text = ImportFiles.OpenText(new MemoryStream(bytes));

        var rows = ImportFiles.ReadCustomers(text, ImportFormat.Csv).ToList();

        Assert.Equal(["c-1", null, "c-2"], rows.Select(r => r.Value?.ExternalId));
        Assert.Equal((3L, 1, "the row repeats the header (two files joined into one?): not imported"), (rows[1].Line, rows[1].Column, rows[1].Error));
    }
}
