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
}
