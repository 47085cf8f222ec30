using Touchpoint.Interactions;

namespace Touchpoint.Import.Twcs;

/// <summary>Reads twcs.csv: the thread index in a first pass, then the interactions streamed in a second pass.</summary>
public static class TwcsImport
{
    public static IEnumerable<ImportRow<TwcsTweet>> ReadTweets(TextReader text) =>
        CsvRecordReader.Read(text, TwcsRecord.Fields, r => r.ToTweet(), formulaGuard: false);

    public static IEnumerable<ImportRow<TwcsTweet>> ReadTweets(string path) => ImportFiles.ReadFile(path, ReadTweets);

    /// <summary>Builds the thread index from the file, then returns it with the interactions of a second, lazy read.</summary>
    public static (TwcsThreads Threads, IEnumerable<ImportRow<InteractionInput>> Interactions) Open(string path, CancellationToken cancellationToken = default)
    {
        var threads = TwcsThreads.Build(ReadTweets(path), cancellationToken);
        return (threads, threads.ToInteractions(ReadTweets(path)));
    }
}
