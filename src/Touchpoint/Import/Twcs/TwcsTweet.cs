using System.Globalization;

namespace Touchpoint.Import.Twcs;

/// <summary>One row of the "Customer Support on Twitter" (twcs.csv) data set.</summary>
public sealed record TwcsTweet(long Id, string Author, bool Inbound, DateTime CreatedAt, string Text, long? InResponseTo);

/// <summary>The twcs.csv columns: tweet_id, author_id, inbound, created_at, text, response_tweet_id, in_response_to_tweet_id.</summary>
public sealed class TwcsRecord
{
    public long? TweetId { get; set; }
    public string? AuthorId { get; set; }
    public bool? Inbound { get; set; }
    public DateTime? CreatedAt { get; set; }
    public string? Text { get; set; }
    public long? InResponseToTweetId { get; set; }

    public static readonly IReadOnlyList<RecordField<TwcsRecord>> Fields =
    [
        new("tweet_id", (r, v) => r.TweetId = Id("tweet_id", v), r => r.TweetId?.ToString(CultureInfo.InvariantCulture)),
        new("author_id", (r, v) => r.AuthorId = v.Trim(), r => r.AuthorId),
        new("inbound", (r, v) => r.Inbound = Cells.Bool("inbound", v), r => r.Inbound?.ToString()),
        new("created_at", (r, v) => r.CreatedAt = TwitterTime(v), r => Cells.Format(r.CreatedAt)),
        new("text", (r, v) => r.Text = v, r => r.Text),
        new("in_response_to_tweet_id", (r, v) => r.InResponseToTweetId = Id("in_response_to_tweet_id", v), r => r.InResponseToTweetId?.ToString(CultureInfo.InvariantCulture)),
    ];

    public TwcsTweet ToTweet() => new(
        TweetId ?? throw new RecordFieldException("tweet_id", "is required"),
        AuthorId ?? throw new RecordFieldException("author_id", "is required"),
        Inbound ?? throw new RecordFieldException("inbound", "is required"),
        CreatedAt ?? throw new RecordFieldException("created_at", "is required"),
        Text ?? "",
        InResponseToTweetId);

    /// <summary>Tweet ids exceed Int32; some exports write them as floats ("3.0").</summary>
    private static long Id(string field, string value)
    {
        var v = value.Trim();
        if (long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
        {
            return id;
        }
        return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && d is > 0 and < 9e15
            ? (long)d
            : throw new RecordFieldException(field, $"'{value}' is not a tweet id");
    }

    /// <summary>Twitter's "Tue Oct 31 22:10:47 +0000 2017".</summary>
    private static DateTime TwitterTime(string value) =>
        DateTime.TryParseExact(value.Trim(), "ddd MMM dd HH:mm:ss zzz yyyy", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var t)
            ? DateTime.SpecifyKind(t, DateTimeKind.Utc)
            : Cells.Instant("created_at", value);
}
