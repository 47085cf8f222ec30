using System.Runtime.InteropServices;
using Touchpoint.Interactions;

namespace Touchpoint.Import.Twcs;

/// <summary>
/// Threads the "Customer Support on Twitter" data set into interactions, in two streaming passes over the file.
/// The first pass keeps one small entry per tweet (time, author, inbound, parent), because replies can come
/// before the tweet they answer; the second pass turns each tweet into an interaction on channel Social:
/// <list type="bullet">
/// <item>a customer tweet is inbound, from the customer whose social handle is the author id;</item>
/// <item>a brand tweet is outbound to the customer it answers (the nearest customer tweet above it), with the
/// brand as agent and queue;</item>
/// <item>each conversation is a case "twcs:" + the id of its root tweet (the first tweet of the chain of
/// in_response_to_tweet_id links that is in the file);</item>
/// <item>a customer tweet's first response is the earliest brand tweet replying to it: reply time − tweet time.
/// Its queue is that brand, or the brand that answered elsewhere in the thread, or the brand it mentions.</item>
/// </list>
/// </summary>
public sealed class TwcsThreads
{
    public const string Prefix = "twcs:";
    private const int MaxDepth = 10_000;

    private readonly Dictionary<long, Node> _nodes = [];
    private readonly Dictionary<string, int> _authorIds = new(StringComparer.Ordinal);
    private readonly List<string> _authors = [];
    private readonly Dictionary<string, int> _brandsByName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<long, (int At, int Brand)> _threadBrand = [];

    private TwcsThreads()
    {
    }

    /// <summary>Tweets read in the first pass (rows that could not be read are not counted).</summary>
    public long Tweets => _nodes.Count;
    public int Brands => _brandsByName.Count;
    public long Threads { get; private set; }
    public long CustomerTweets { get; private set; }
    public long AnsweredCustomerTweets { get; private set; }

    /// <summary>Replies that come in the file before the tweet they answer.</summary>
    public long RepliesBeforeParent { get; private set; }

    /// <summary>Replies whose parent is not in the file: they start a thread of their own.</summary>
    public long RepliesWithoutParent { get; private set; }

    /// <summary>Brand replies stamped before the tweet they answer: not used as responses.</summary>
    public long RepliesBeforeTheirTweet { get; private set; }

    /// <summary>Tweet ids that appear more than once; the first row wins.</summary>
    public long RepeatedIds { get; private set; }

    private struct Node
    {
        public int At;
        public int Author;
        public long Parent;
        public bool Inbound;
        public int FirstReplyAt;
        public int FirstReplyBrand;
    }

    /// <summary>First pass: the thread index. Rows that cannot be read are skipped here and rejected in the second pass.</summary>
    public static TwcsThreads Build(IEnumerable<ImportRow<TwcsTweet>> tweets, CancellationToken cancellationToken = default)
    {
        var threads = new TwcsThreads();
        long parentNotYetSeen = 0;
        foreach (var row in tweets)
        {
            if (row.Value is not { } t)
            {
                continue;
            }
            if (threads._nodes.Count % 100_000 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            var author = threads.Intern(t.Author);
            if (!t.Inbound)
            {
                threads._brandsByName.TryAdd(t.Author, author);
            }
            var parent = t.InResponseTo ?? 0;
            if (!threads._nodes.TryAdd(t.Id, new Node { At = Seconds(t.CreatedAt), Author = author, Parent = parent, Inbound = t.Inbound, FirstReplyBrand = -1 }))
            {
                threads.RepeatedIds++;
                continue;
            }
            if (parent != 0 && !threads._nodes.ContainsKey(parent))
            {
                parentNotYetSeen++;
            }
        }
        threads.Link(parentNotYetSeen);
        return threads;
    }

    private void Link(long parentNotYetSeen)
    {
        var ids = _nodes.Keys.ToArray();
        foreach (var id in ids)
        {
            ref var node = ref CollectionsMarshal.GetValueRefOrNullRef(_nodes, id);
            if (node.Parent != 0 && !_nodes.ContainsKey(node.Parent))
            {
                RepliesWithoutParent++;
            }
            if (node.Inbound)
            {
                CustomerTweets++;
            }
            else
            {
                // The thread's brand is the one that spoke first in it: the queue of customer tweets nobody answered directly.
                var root = RootOf(id);
                if (!_threadBrand.TryGetValue(root, out var first) || node.At < first.At)
                {
                    _threadBrand[root] = (node.At, node.Author);
                }
                if (node.Parent != 0)
                {
                    ref var parent = ref CollectionsMarshal.GetValueRefOrNullRef(_nodes, node.Parent);
                    if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref parent) && parent.Inbound)
                    {
                        if (node.At < parent.At)
                        {
                            RepliesBeforeTheirTweet++;
                        }
                        else if (parent.FirstReplyBrand < 0 || node.At < parent.FirstReplyAt)
                        {
                            if (parent.FirstReplyBrand < 0)
                            {
                                AnsweredCustomerTweets++;
                            }
                            parent.FirstReplyAt = node.At;
                            parent.FirstReplyBrand = node.Author;
                        }
                    }
                }
            }
            if (node.Parent == 0 || !_nodes.ContainsKey(node.Parent))
            {
                Threads++;
            }
        }
        RepliesBeforeParent = parentNotYetSeen - RepliesWithoutParent;
    }

    /// <summary>Second pass: one interaction per tweet, in file order, with the file's line numbers.</summary>
    /// <remarks>
    /// A tweet stamped after <paramref name="nowUtc"/> (beyond <see cref="HappenedAt.Tolerance"/>) is rejected here, at its
    /// created_at: the ingestor would name the started_at and messages[0].at the file does not have, without a column.
    /// Other errors of the interaction are given the column of the tweet's field they come from.
    /// </remarks>
    public IEnumerable<ImportRow<InteractionInput>> ToInteractions(IEnumerable<ImportRow<TwcsTweet>> tweets, DateTime? nowUtc = null)
    {
        foreach (var row in tweets)
        {
            if (row.Value is not { } t)
            {
                yield return new ImportRow<InteractionInput>(row.Line, null, row.Error, row.Column);
                continue;
            }
            if (!_nodes.TryGetValue(t.Id, out var node) || node.At != Seconds(t.CreatedAt) || _authors[node.Author] != t.Author)
            {
                yield return new ImportRow<InteractionInput>(row.Line, null, $"tweet_id: {t.Id} appears more than once in the file; the first row was used", 1);
                continue;
            }
            if (nowUtc is { } now)
            {
                var late = new List<FieldError>();
                HappenedAt.Check(late, "created_at", t.CreatedAt, now);
                if (late.Count > 0)
                {
                    yield return new ImportRow<InteractionInput>(row.Line, null, $"created_at {late[0].Reason}", row.ColumnOf?.Invoke("created_at"));
                    continue;
                }
            }
            var root = RootOf(t.Id);
            var brand = t.Inbound ? QueueOf(t, node, root) : t.Author;
            var customer = t.Inbound ? t.Author : CustomerOf(t, node);
            if (customer is null)
            {
                yield return new ImportRow<InteractionInput>(row.Line, null, $"author_id: brand tweet {t.Id} is a broadcast: it answers no customer tweet in the file and mentions no customer", 2);
                continue;
            }
            yield return new ImportRow<InteractionInput>(row.Line, new InteractionInput
            {
                ExternalId = Prefix + t.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                CaseExternalId = Prefix + root.ToString(System.Globalization.CultureInfo.InvariantCulture),
                CustomerSocialHandle = customer,
                Channel = Channel.Social,
                Direction = t.Inbound ? Direction.Inbound : Direction.Outbound,
                StartedAt = t.CreatedAt,
                AgentExternalId = t.Inbound ? null : t.Author,
                AgentName = t.Inbound ? null : t.Author,
                Queue = brand,
                FirstResponseSeconds = t.Inbound && node.FirstReplyBrand >= 0 ? node.FirstReplyAt - node.At : null,
                // The brand having the last word closes the case; a customer tweet leaves it open.
                Outcome = t.Inbound ? Outcome.Unresolved : Outcome.Resolved,
                Messages = [new MessageInput(t.Inbound ? MessageAuthor.Customer : MessageAuthor.Agent, t.CreatedAt, t.Text)],
            }, ColumnOf: row.ColumnOf is { } columnOf ? field => columnOf(TweetField(field)) : null);
        }
    }

    /// <summary>The twcs column an interaction's field comes from.</summary>
    private static string TweetField(string field) => field switch
    {
        "external_id" => "tweet_id",
        "customer_social_handle" or "agent_external_id" or "agent_name" or "queue" => "author_id",
        "started_at" or "messages[0].at" => "created_at",
        "messages[0].text" => "text",
        _ => field,
    };

    /// <summary>The first response in seconds to a customer tweet, or null when no brand answered it.</summary>
    public int? FirstResponseSeconds(long tweetId) =>
        _nodes.TryGetValue(tweetId, out var n) && n.Inbound && n.FirstReplyBrand >= 0 ? n.FirstReplyAt - n.At : null;

    /// <summary>The root tweet id of the conversation a tweet belongs to.</summary>
    public long RootOf(long id)
    {
        var current = id;
        for (var depth = 0; depth < MaxDepth && _nodes.TryGetValue(current, out var n) && n.Parent != 0 && _nodes.ContainsKey(n.Parent); depth++)
        {
            current = n.Parent;
        }
        return current;
    }

    private string? QueueOf(TwcsTweet t, Node node, long root)
    {
        if (node.FirstReplyBrand >= 0)
        {
            return _authors[node.FirstReplyBrand];
        }
        if (node.Parent != 0 && _nodes.TryGetValue(node.Parent, out var parent) && !parent.Inbound)
        {
            return _authors[parent.Author];
        }
        if (_threadBrand.TryGetValue(root, out var brand))
        {
            return _authors[brand.Brand];
        }
        foreach (var mention in Mentions(t.Text))
        {
            if (_brandsByName.TryGetValue(mention, out var named))
            {
                return _authors[named];
            }
        }
        return null;
    }

    private string? CustomerOf(TwcsTweet t, Node node)
    {
        var current = node;
        for (var depth = 0; depth < MaxDepth && current.Parent != 0 && _nodes.TryGetValue(current.Parent, out var parent); depth++)
        {
            if (parent.Inbound)
            {
                return _authors[parent.Author];
            }
            current = parent;
        }
        // A brand tweet opening a conversation (or answering a tweet not in the file) still starts with "@customer".
        foreach (var mention in Mentions(t.Text))
        {
            if (!_brandsByName.ContainsKey(mention))
            {
                return mention;
            }
        }
        return null;
    }

    private static IEnumerable<string> Mentions(string text)
    {
        for (var i = text.IndexOf('@', StringComparison.Ordinal); i >= 0 && i < text.Length - 1; i = text.IndexOf('@', i + 1))
        {
            var end = i + 1;
            while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
            {
                end++;
            }
            if (end > i + 1)
            {
                yield return text[(i + 1)..end];
            }
        }
    }

    private int Intern(string author)
    {
        if (!_authorIds.TryGetValue(author, out var id))
        {
            id = _authors.Count;
            _authors.Add(author);
            _authorIds[author] = id;
        }
        return id;
    }

    private static int Seconds(DateTime t) => (int)(t.Ticks / TimeSpan.TicksPerSecond - DateTime.UnixEpoch.Ticks / TimeSpan.TicksPerSecond);
}
