using Touchpoint.Import;
using Touchpoint.Import.Twcs;
using Touchpoint.Interactions;

namespace Touchpoint.Tests.Cli;

public sealed class ImportReaderTests
{
    [Fact]
    public void Csv_QuotedFieldsWithCommasAndLineBreaks_AreOneFieldAndLinesStayRight()
    {
        const string csv = """"
            external_id,customer_external_id,channel,direction,started_at,ended_at,agent,queue,talk_seconds,reason,outcome,subject,transcript
            i1,c1,phone,inbound,2026-03-02T09:00:00Z,2026-03-02T09:05:00Z,a1,billing,240,billing,resolved,"Refund, please","customer: hello, I need a refund
            agent: sure, done"
            i2,c2,twitter,outbound,2026-03-02T10:00:00+02:00,,,social,,,follow-up,"said ""hi""",
            """";

        var rows = ImportFiles.ReadInteractions(new StringReader(csv), ImportFormat.Csv).ToList();

        Assert.All(rows, r => Assert.Null(r.Error));
        Assert.Equal([2L, 4L], rows.Select(r => r.Line));
        var i1 = rows[0].Value!;
        Assert.Equal(("i1", "c1", Channel.Phone, Direction.Inbound), (i1.ExternalId, i1.CustomerExternalId, i1.Channel, i1.Direction));
        Assert.Equal(new DateTime(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc), i1.StartedAt);
        Assert.Equal(("a1", "billing", 240, "Refund, please"), (i1.AgentExternalId, i1.Queue, i1.TalkSeconds, i1.Subject));
        Assert.Equal([(MessageAuthor.Customer, "hello, I need a refund"), (MessageAuthor.Agent, "sure, done")], i1.Messages.Select(m => (m.Author, m.Text)));
        var i2 = rows[1].Value!;
        Assert.Equal((Channel.Social, Direction.Outbound, Outcome.FollowUp, "said \"hi\""), (i2.Channel, i2.Direction, i2.Outcome, i2.Subject));
        Assert.Equal(new DateTime(2026, 3, 2, 8, 0, 0, DateTimeKind.Utc), i2.StartedAt);
        Assert.Equal(DateTimeKind.Utc, i2.StartedAt.Kind);
        Assert.Empty(i2.Messages);
    }

    [Fact]
    public void Csv_BadRows_NameTheirLineAndTheColumnOfTheBadField()
    {
        const string csv = "external_id,customer_external_id,channel,started_at,talk_seconds\n" +
                           "ok1,c1,phone,2026-03-02T09:00:00Z,10\n" +
                           "bad-talk,c1,phone,2026-03-02T09:00:00Z,ten\n" +
                           "bad-channel,c1,fax,2026-03-02T09:00:00Z,1\n" +
                           "\"multi\nline\",c1,phone,not-a-date,1\n" +
                           "no-channel,c1,,2026-03-02T09:00:00Z,1\n" +
                           "too,many,fields,2026-03-02T09:00:00Z,1,extra\n" +
                           "bad\"quote,c1,phone,2026-03-02T09:00:00Z,1\r\n" +
                           "ok2,c1,chat,2026-03-02T09:00:00Z,\n";

        var rows = ImportFiles.ReadInteractions(new StringReader(csv), ImportFormat.Csv).ToList();

        Assert.Equal(
            [(2L, null), (3, 5), (4, 3), (5, 4), (7, 3), (8, 6), (9, 1), (10, null)],
            rows.Select(r => (r.Line, r.Column)));
        Assert.Equal(["ok1", "ok2"], rows.Where(r => r.Value is not null).Select(r => r.Value!.ExternalId));
        Assert.Equal("talk_seconds: 'ten' is not a whole number", rows[1].Error);
        Assert.StartsWith("channel: 'fax' is not a channel", rows[2].Error, StringComparison.Ordinal);
        Assert.StartsWith("started_at: 'not-a-date' is not a date", rows[3].Error, StringComparison.Ordinal);
        Assert.Equal("channel: is required", rows[4].Error);
        Assert.StartsWith("the row has 6 fields but the header has 5", rows[5].Error, StringComparison.Ordinal);
        Assert.StartsWith("external_id: a quote inside an unquoted field", rows[6].Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    public void Csv_AQuoteOpenedAndNotClosed_IsRejectedAtItsOwnLine_NamingTheLinesItSwallowed(string newline)
    {
        // The open quote reads on to the next quote or the end of the file: those rows were in no count, and at the end
        // of a CRLF file the row was put one line late.
        string File(params string[] lines) => string.Join(newline, lines) + newline;
        const string Header = "external_id,customer_external_id,channel,started_at,subject";
        var toTheEnd = File(Header, "i1,c1,phone,2026-03-02T09:00:00Z,ok", "", "i2,c1,phone,2026-03-02T09:00:00Z,\"open",
            "i3,c1,phone,2026-03-02T09:00:00Z,lost", "i4,c1,phone,2026-03-02T09:00:00Z,lost");
        var toAQuote = File("", Header, "i1,c1,phone,2026-03-02T09:00:00Z,\"open", "i2,c1,phone,2026-03-02T09:00:00Z,lost",
            "i3,c1,phone,2026-03-02T09:00:00Z,\"quoted\"", "i4,c1,phone,2026-03-02T09:00:00Z,\"two\nlines\"", "i5,c1,phone,2026-03-02T09:00:00Z,ok");

        var first = ImportFiles.ReadInteractions(new StringReader(toTheEnd), ImportFormat.Csv).ToList();
        var second = ImportFiles.ReadInteractions(new StringReader(toAQuote), ImportFormat.Csv).ToList();

        Assert.Equal([(2L, null, "i1"), (4, 5, null)], first.Select(r => (r.Line, r.Column, r.Value?.ExternalId)));
        Assert.Equal("subject: a quote inside an unquoted field, or a quoted field that is not closed (the row runs on to line 6: a quote opened and not closed? "
            + "lines 5 to 6 are read as part of it)", first[1].Error);
        Assert.Equal([(3L, 5, null), (6, null, "i4"), (8, null, "i5")], second.Select(r => (r.Line, r.Column, r.Value?.ExternalId)));
        Assert.EndsWith("(the row runs on to line 5: a quote opened and not closed? lines 4 to 5 are read as part of it)", second[0].Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("i2\tc1\tchat\t2026-03-02T09:00:00Z", "tabs")]
    [InlineData("i2;c1;chat;2026-03-02T09:00:00Z", "semicolons")]
    public void Csv_ARowSeparatedByAnotherCharacterThanTheHeader_SaysWhichOne_NotThatAFieldIsMissing(string row, string separator)
    {
        // It said "channel: is required": the whole row was read as the external id.
        var csv = $"external_id,customer_external_id,channel,started_at\ni1,c1,chat,2026-03-02T09:00:00Z\n{row}\n";

        var rows = ImportFiles.ReadInteractions(new StringReader(csv), ImportFormat.Csv).ToList();

        Assert.Equal([(2L, null), (3, 1)], rows.Select(r => (r.Line, r.Column)));
        Assert.Equal($"the row has 1 field but the header has 4: its fields seem separated by {separator}, and the header's by commas", rows[1].Error);
    }

    [Fact]
    public void Csv_HeaderWithoutExternalId_IsOneErrorOnLineOne()
    {
        var rows = ImportFiles.ReadCustomers(new StringReader("name,email\nAnn,ann@example.com\n"), ImportFormat.Csv).ToList();

        var error = Assert.Single(rows);
        Assert.Equal((1L, 1), (error.Line, error.Column));
        Assert.StartsWith("the header has no external_id column", error.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("external_id;name;email\nc1;Ann;ann@example.com\n", "semicolons")]
    [InlineData("external_id\tname\temail\nc1\tAnn\tann@example.com\n", "tabs")]
    public void Csv_SeparatedByAnotherCharacter_SaysWhichOne(string file, string separator)
    {
        var error = Assert.Single(ImportFiles.ReadCustomers(new StringReader(file), ImportFormat.Csv).ToList());

        Assert.Equal((1L, 1), (error.Line, error.Column));
        Assert.Contains($"seem separated by {separator}, and CSV files here use commas", error.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_RowsOfEmptyFields_AreSkippedLikeBlankLines()
    {
        // What a spreadsheet writes below its data once cells there were touched.
        var rows = ImportFiles.ReadCustomers(new StringReader("external_id,name,email\nc1,Ann,ann@example.com\n,,\n , ,\n\nc2,Bob,\n,,\n"), ImportFormat.Csv).ToList();

        Assert.All(rows, r => Assert.Null(r.Error));
        Assert.Equal([(2L, "c1"), (6L, "c2")], rows.Select(r => (r.Line, r.Value!.ExternalId)));
    }

    [Fact]
    public void Csv_HeaderWithTwoColumnsForOneField_IsOneErrorAtTheSecond()
    {
        // "email_address" is an alias of email: a row with both could mean either.
        var rows = ImportFiles.ReadCustomers(new StringReader("external_id,email,name,email_address\nc1,a@example.com,Ann,b@example.com\n"), ImportFormat.Csv).ToList();

        var error = Assert.Single(rows);
        Assert.Equal((1L, 4), (error.Line, error.Column));
        Assert.Equal("the header has two columns for email: email (column 2) and email_address (column 4)", error.Error);
    }

    [Fact]
    public void Csv_TimesThatAreNotIso8601_AreRejectedAtTheirColumn_NotReadAsAnotherDay()
    {
        // "03/04/2026" is 3 April to most of the world and 4 March to DateTime.TryParse; "12:30" was read as today.
        const string csv = "external_id,customer_external_id,channel,started_at\n" +
                           "us,c1,phone,03/04/2026\n" +
                           "time-only,c1,phone,12:30\n" +
                           "words,c1,phone,4 March 2026\n" +
                           "space,c1,phone,2026-03-02 09:00\n" +
                           "offset,c1,phone,2026-03-02T11:00:00+02:00\n" +
                           "date,c1,phone,2026-03-02\n";

        var rows = ImportFiles.ReadInteractions(new StringReader(csv), ImportFormat.Csv).ToList();

        Assert.Equal([(2L, 4), (3, 4), (4, 4)], rows.Where(r => r.Error is not null).Select(r => (r.Line, r.Column!.Value)));
        Assert.Equal("started_at: '12:30' is not a date and time (use ISO 8601, e.g. 2026-03-02T09:00:00Z)", rows[1].Error);
        Assert.Equal(
            [new DateTime(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc), new DateTime(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc), new DateTime(2026, 3, 2, 0, 0, 0, DateTimeKind.Utc)],
            rows.Where(r => r.Value is not null).Select(r => r.Value!.StartedAt));
    }

    [Fact]
    public void Csv_RowsFailingAFieldRule_AreRejectedAtThatFieldsColumn()
    {
        // A value that reads but breaks a rule (negative, too long, out of range) used to come back with no column at all.
        var csv = "external_id,customer_email,channel,started_at,ended_at,queue,talk_seconds\n" +
                  "negative,a@example.com,phone,2026-03-02T09:00:00Z,,billing,-5\n" +
                  $"long-queue,a@example.com,phone,2026-03-02T09:00:00Z,,{new string('q', 101)},10\n" +
                  "ends-early,a@example.com,phone,2026-03-02T09:00:00Z,2026-03-02T08:00:00Z,billing,10\n" +
                  ",a@example.com,phone,2026-03-02T09:00:00Z,,billing,10\n" +
                  "no-customer,,phone,2026-03-02T09:00:00Z,,billing,10\n";
        var summary = new ImportSummary();

        foreach (var row in ImportFiles.ReadInteractions(new StringReader(csv), ImportFormat.Csv))
        {
            summary.Accept(row, r => r.Validate(DateTime.UtcNow));
        }

        Assert.Equal(
            [(2L, (int?)7, "talk_seconds must not be negative"), (3, 6, "queue is longer than 100 characters"), (4, 5, "ended_at is before started_at"),
             (5, 1, "external_id is required"), (6, null, "customer one of customer_external_id, customer_email, customer_phone or customer_social_handle is required")],
            summary.Rejections.Select(r => (r.Line, r.Column, r.Reason)));
    }

    [Fact]
    public void Csv_ANumberOrTwoNames_IsNotAChannelOrAnOutcome()
    {
        // Enum.TryParse read "3" as Sms and "Phone,Email" or "resolved,escalated" as one value made of the two.
        const string csv = "external_id,customer_email,channel,started_at,outcome\n" +
                           "number,a@example.com,3,2026-03-02T09:00:00Z,\n" +
                           "two,a@example.com,\"Phone,Email\",2026-03-02T09:00:00Z,\n" +
                           "outcomes,a@example.com,chat,2026-03-02T09:00:00Z,\"resolved,escalated\"\n" +
                           "spelled,a@example.com,Web Chat,2026-03-02T09:00:00Z,FOLLOW_UP\n";

        var rows = ImportFiles.ReadInteractions(new StringReader(csv), ImportFormat.Csv).ToList();

        Assert.Equal(
            [
                "channel: '3' is not a channel (phone, email, chat, sms, social, self-service, in-app, bot)",
                "channel: 'Phone,Email' is not a channel (phone, email, chat, sms, social, self-service, in-app, bot)",
                "outcome: 'resolved,escalated' is not one of resolved, unresolved, escalated, abandoned, follow-up",
                null,
            ],
            rows.Select(r => r.Error));
        Assert.Equal((Channel.Chat, Outcome.FollowUp), (rows[3].Value!.Channel, rows[3].Value!.Outcome));
    }

    [Fact]
    public void Csv_Customers_ReadListsConsentsAndAliases()
    {
        const string csv = """
            Customer ID,Full Name,Email,products,consents,quiet_hours_start,preferred_channel,revenue,customer_since
            c1,"Doe, Jane",jane@example.com,"router,tv",email=yes;sms=no,22:00,sms,12.5,2024-01-31
            """;

        var row = Assert.Single(ImportFiles.ReadCustomers(new StringReader(csv), ImportFormat.Csv));

        var c = row.Value!;
        Assert.Equal(("c1", "Doe, Jane", "jane@example.com", 12.5), (c.ExternalId, c.Name, c.Email, c.Revenue));
        Assert.Equal(["router", "tv"], c.Products!);
        Assert.Equal(new Dictionary<Channel, bool> { [Channel.Email] = true, [Channel.Sms] = false }, c.Consents!);
        Assert.Equal((new TimeOnly(22, 0), Channel.Sms), (c.QuietHoursStart, c.PreferredChannel));
        Assert.Equal(new DateTime(2024, 1, 31, 0, 0, 0, DateTimeKind.Utc), c.CustomerSince);
    }

    [Fact]
    public void JsonLines_BadLines_NameTheirLineAndBytePosition()
    {
        string[] lines =
        [
            """{"external_id":"j1","customer_external_id":"c1","channel":"chat","started_at":"2026-03-02T09:00:00Z","messages":[{"author":"agent","text":"hi"}]}""",
            "",
            """{"external_id":"j2","customer_external_id":"c1","channel":"chat" "started_at":"2026-03-02T09:00:00Z"}""",
            """{"external_id":"j3","customer_external_id":"c1","channel":"chat","talk_seconds":"ten"}""",
            """{"external_id":"j4","customer_external_id":"c1","channel":"fax"}""",
            """{"external_id":"j5","customer_external_id":"c1"}""",
            """["not an object"]""",
            """{"external_id":"j6","customer_handle_is_unknown":1,"customer_social_handle":"@j","channel":"Twitter","started_at":"2026-03-02T09:00:00Z"}""",
        ];

        var rows = ImportFiles.ReadInteractions(new StringReader(string.Join('\n', lines)), ImportFormat.JsonLines).ToList();

        Assert.Equal([1L, 3, 4, 5, 6, 7, 8], rows.Select(r => r.Line));
        Assert.Equal(["j1", "j6"], rows.Where(r => r.Value is not null).Select(r => r.Value!.ExternalId));
        var j1 = rows[0].Value!;
        Assert.Equal((MessageAuthor.Agent, "hi"), (j1.Messages[0].Author, j1.Messages[0].Text));
        Assert.Equal(lines[2].IndexOf("\"started_at\"", StringComparison.Ordinal) + 1, rows[1].Column);
        // For a value of the wrong type the parser stops just past it.
        Assert.Equal(lines[3].IndexOf("\"ten\"", StringComparison.Ordinal) + "\"ten\"".Length + 1, rows[2].Column);
        Assert.StartsWith("talk_seconds:", rows[2].Error, StringComparison.Ordinal);
        Assert.Equal(lines[4].IndexOf("\"fax\"", StringComparison.Ordinal) + "\"fax\"".Length + 1, rows[3].Column);
        Assert.StartsWith("channel: 'fax' is not a channel", rows[3].Error, StringComparison.Ordinal);
        Assert.Equal(("channel: is required", (int?)null), (rows[4].Error, rows[4].Column));
        Assert.Equal("the line is not a JSON object", rows[5].Error);
        Assert.Equal(2, rows[5].Column);
        Assert.Equal(Channel.Social, rows[6].Value!.Channel);
    }

    [Fact]
    public void JsonLines_RowsFailingAFieldRule_AreRejectedAtTheBytePositionOfThatFieldsKey()
    {
        // The CSV reader gives these the field's column; JSON Lines gave a line and no column at all.
        string[] lines =
        [
            """{"external_id":"negative","customer_name":"José Ñandú","customer_email":"a@example.com","channel":"phone","started_at":"2026-03-02T09:00:00Z","talk_seconds":-5}""",
            $$"""{"external_id":"long-queue","customer_email":"a@example.com","channel":"phone","started_at":"2026-03-02T09:00:00Z","queue":"{{new string('q', 101)}}"}""",
            """{"external_id":"ends-early","customer_email":"a@example.com","channel":"phone","Ended_At":"2026-03-02T08:00:00Z","started_at":"2026-03-02T09:00:00Z"}""",
            """{"customer_email":"a@example.com","channel":"phone","started_at":"2026-03-02T09:00:00Z","external_id":" "}""",
            """{"external_id":"no-text","customer_email":"a@example.com","channel":"chat","started_at":"2026-03-02T09:00:00Z","messages":[{"text":"hi"}, {"author":"agent"}]}""",
            """{"external_id":"null-message","customer_email":"a@example.com","channel":"chat","started_at":"2026-03-02T09:00:00Z","messages":[{"text":"hi"},null]}""",
            // "customer" is a CSV alias the JSON Lines reader does not read: the row has no customer, and no column.
            """{"external_id":"no-customer","customer":"c1","channel":"phone","started_at":"2026-03-02T09:00:00Z"}""",
            """{"external_id":"no-start","customer_email":"a@example.com","channel":"phone"}""",
        ];
        var summary = new ImportSummary();

        foreach (var row in ImportFiles.ReadInteractions(new StringReader(string.Join('\n', lines)), ImportFormat.JsonLines))
        {
            summary.Accept(row, r => r.Validate(DateTime.UtcNow));
        }

        // 1-based, in UTF-8 bytes as the parser's own error positions are: "José Ñandú" holds three 2-byte characters.
        static int? KeyAt(string line, string key) => System.Text.Encoding.UTF8.GetByteCount(line.AsSpan(0, line.IndexOf(key, StringComparison.Ordinal))) + 1;
        Assert.Equal(
            [
                (1L, KeyAt(lines[0], "\"talk_seconds\""), "talk_seconds must not be negative"),
                (2, KeyAt(lines[1], "\"queue\""), "queue is longer than 100 characters"),
                (3, KeyAt(lines[2], "\"Ended_At\""), "ended_at is before started_at"),
                (4, KeyAt(lines[3], "\"external_id\""), "external_id is required"),
                (5, KeyAt(lines[4], "{\"author\""), "messages[1].text is required"),
                (6, KeyAt(lines[5], "null]"), "messages[1]: is null"),
                (7, null, "customer one of customer_external_id, customer_email, customer_phone or customer_social_handle is required"),
                (8, null, "started_at is required"),
            ],
            summary.Rejections.Select(r => (r.Line, r.Column, r.Reason)));
        // Bytes, not characters: the three accented letters put talk_seconds 3 bytes past its character position.
        Assert.Equal(lines[0].IndexOf("\"talk_seconds\"", StringComparison.Ordinal) + 1 + 3, summary.Rejections[0].Column);
    }

    [Fact]
    public void JsonLines_Customers_ARuleBrokenInTheLine_IsRejectedAtThatFieldsKey_MatchedIgnoringCase()
    {
        string[] lines =
        [
            """{"external_id":"c1","name":"Ann","EMAIL":"not-an-email"}""",
            """{"external_id":"c2","revenue":-1,"birth_year":1800}""",
            """{"external_id":"c3","products":["tv","a;b"]}""",
        ];
        var summary = new ImportSummary();

        foreach (var row in ImportFiles.ReadCustomers(new StringReader(string.Join('\n', lines)), ImportFormat.JsonLines))
        {
            summary.Accept(row, r => r.Validate(DateTime.UtcNow));
        }

        Assert.Equal(
            [
                (1L, (int?)lines[0].IndexOf("\"EMAIL\"", StringComparison.Ordinal) + 1, "email is not an email address"),
                (2, lines[1].IndexOf("\"revenue\"", StringComparison.Ordinal) + 1, "revenue must not be negative; birth_year is out of range"),
                (3, lines[2].IndexOf("\"products\"", StringComparison.Ordinal) + 1, "products a product code must not be null or contain ',' or ';'"),
            ],
            summary.Rejections.Select(r => (r.Line, r.Column, r.Reason)));
    }

    [Fact]
    public void JsonLines_ValuesAreReadAsCsvCells_AndBadOnesAreSaidInWords_NotInDotNetTypeNames()
    {
        string[] lines =
        [
            """{"external_id":"space","customer_external_id":"c1","channel":"chat","started_at":"2026-03-02 09:00","talk_seconds":"10"}""",
            """{"external_id":"twice","customer_external_id":"c1","channel":"chat","started_at":"2026-03-02T09:00:00Z","external_id":"other"}""",
            """{"external_id":"time-only","customer_external_id":"c1","channel":"chat","started_at":"12:30"}""",
            """{"external_id":"half","customer_external_id":"c1","channel":"chat","started_at":"2026-03-02T09:00:00Z","talk_seconds":1.5}""",
            """{"external_id":true,"customer_external_id":"c1","channel":"chat","started_at":"2026-03-02T09:00:00Z"}""",
            """{"external_id":7,"customer_external_id":12345678901234567890,"channel":"chat","started_at":"2026-03-02T09:00:00Z"}""",
            """{"external_id":"msgs","customer_external_id":"c1","channel":"chat","started_at":"2026-03-02T09:00:00Z","messages":{"text":"hi"}}""",
        ];

        var rows = ImportFiles.ReadInteractions(new StringReader(string.Join('\n', lines)), ImportFormat.JsonLines).ToList();

        var space = rows[0].Value!;
        Assert.Equal((new DateTime(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc), 10), (space.StartedAt, space.TalkSeconds));
        // Ids given as numbers are their digits, exactly (a double would round the second).
        var numbered = rows[5].Value!;
        Assert.Equal(("7", "12345678901234567890"), (numbered.ExternalId, numbered.CustomerExternalId));
        Assert.Equal(
        [
            "external_id: is given twice",
            "started_at: '12:30' is not a date and time (use ISO 8601, e.g. 2026-03-02T09:00:00Z)",
            "talk_seconds: '1.5' is not a whole number",
            "external_id: is not a string",
            "messages: is not a JSON array of {\"author\", \"at\", \"text\"} objects",
        ], rows.Skip(1).Where(r => r.Error is not null).Select(r => r.Error));
        Assert.All(rows.Skip(1).Where(r => r.Error is not null), r => Assert.NotNull(r.Column));
    }

    [Fact]
    public void JsonLines_Customers_ARevenueThatIsNotFinite_OrAConsentThatIsNotABoolean_IsSaidInWords()
    {
        const string jsonl = """
            {"external_id":"c1","revenue":1e400}
            {"external_id":"c2","consents":{"sms":"yes"}}
            {"external_id":"c3","revenue":"12.5"}
            """;

        var rows = ImportFiles.ReadCustomers(new StringReader(jsonl), ImportFormat.JsonLines).ToList();

        Assert.Equal(["revenue: '1e400' is not a number", "consents.sms: is not true or false", null], rows.Select(r => r.Error));
        Assert.Equal(12.5, rows[2].Value!.Revenue);
    }

    [Fact]
    public void JsonLines_FilesJoinedWithTheirByteOrderMarks_ReadEveryLine()
    {
        // `cat a.jsonl b.jsonl` keeps b's byte order mark at the start of its first line: it was "'0xEF' is an invalid start of a value".
        var jsonl = "\uFEFF{\"external_id\":\"c1\"}\n\uFEFF{\"external_id\":\"c2\"}\n";

        var rows = ImportFiles.ReadCustomers(new StringReader(jsonl), ImportFormat.JsonLines).ToList();

        Assert.Equal(["c1", "c2"], rows.Select(r => r.Value?.ExternalId ?? r.Error));
    }

    [Fact]
    public void Twcs_BareCarriageReturnInsideQuotes_KeepsTheLineNumbersOfLaterRows()
    {
        const string csv = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n" +
                           "1,\"115712\",True,\"Tue Oct 31 22:10:47 +0000 2017\",\"two\rlines\",\"2\",\n" +
                           "2,\"brand\",False,\"Tue Oct 31 22:11:45 +0000 2017\",\"@115712 hi\",,1\n" +
                           "x,\"brand\",False,\"yesterday\",\"bad\",,1\n";

        var rows = TwcsImport.ReadTweets(new StringReader(csv)).ToList();

        Assert.Equal([2L, 4, 5], rows.Select(r => r.Line));
        Assert.Equal("two\rlines", rows[0].Value!.Text);
        Assert.Equal((2L, "brand", false, (long?)1), (rows[1].Value!.Id, rows[1].Value!.Author, rows[1].Value!.Inbound, rows[1].Value!.InResponseTo));
        Assert.Equal(new DateTime(2017, 10, 31, 22, 11, 45, DateTimeKind.Utc), rows[1].Value!.CreatedAt);
        Assert.Equal(1, rows[2].Column);
        Assert.Equal("tweet_id: 'x' is not a tweet id", rows[2].Error);
    }

    [Fact]
    public void Percentile_InterpolatesBetweenRanks()
    {
        int[] sorted = [10, 20, 30, 40];

        Assert.Equal(25, FirstResponseReport.Percentile(sorted, 0.5));
        Assert.Equal(37, FirstResponseReport.Percentile(sorted, 0.9)!.Value, 6);
        Assert.Equal(10, FirstResponseReport.Percentile([10], 0.9));
        Assert.Null(FirstResponseReport.Percentile([], 0.5));
    }
}
