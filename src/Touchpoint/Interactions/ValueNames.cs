namespace Touchpoint.Interactions;

/// <summary>
/// The spellings import files and the API accept for channels, directions, outcomes and message authors: the
/// names in any case with dashes, underscores and spaces ignored ("self-service", "Follow_Up", "IN APP"), and for
/// channels the other names people use ("voice", "web", "twitter"). Numbers are not names: "3" or "Phone,Email"
/// (which Enum.TryParse reads as a value) are refused, so a typo cannot become another channel.
/// </summary>
public static class ValueNames
{
    /// <summary>Other names for a channel (listed in docs/import-formats.md).</summary>
    private static readonly Dictionary<Channel, string[]> ChannelAliases = new()
    {
        [Channel.Phone] = ["voice", "call"],
        [Channel.Email] = ["mail"],
        [Channel.Chat] = ["live-chat", "web-chat"],
        [Channel.Sms] = ["text"],
        [Channel.Social] = ["twitter", "facebook"],
        [Channel.SelfService] = ["web", "web-self-service", "portal"],
        [Channel.InApp] = ["app", "mobile"],
        [Channel.Bot] = ["chatbot"],
    };

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        value = default;
        return !string.IsNullOrWhiteSpace(text) && Table<T>.ByKey.TryGetValue(Key(text), out value);
    }

    /// <summary>
    /// What a value may be, for error messages: "Inbound, Outbound (any case; dashes, underscores and spaces are ignored)",
    /// channels with their other names.
    /// </summary>
    public static string Accepted<T>() where T : struct, Enum => Table<T>.Accepted;

    private static string Key(string text)
    {
        Span<char> key = stackalloc char[Math.Min(text.Length, 64)];
        var length = 0;
        foreach (var c in text.AsSpan().Trim())
        {
            if (c is '-' or '_' or ' ')
            {
                continue;
            }
            if (length == key.Length)
            {
                // Longer than any name: no match, whatever it is.
                return text;
            }
            key[length++] = char.ToLowerInvariant(c);
        }
        return new string(key[..length]);
    }

    private static class Table<T> where T : struct, Enum
    {
        public static readonly Dictionary<string, T> ByKey = Build();

        public static readonly string Accepted = Describe();

        private static IReadOnlyList<string> AliasesOf(T value) =>
            value is Channel channel ? ChannelAliases[channel] : [];

        private static Dictionary<string, T> Build()
        {
            var byKey = new Dictionary<string, T>(StringComparer.Ordinal);
            foreach (var value in Enum.GetValues<T>())
            {
                foreach (var name in AliasesOf(value).Prepend(value.ToString()))
                {
                    byKey.Add(Key(name), value);
                }
            }
            return byKey;
        }

        private static string Describe()
        {
            var names = string.Join(", ", Enum.GetNames<T>());
            var aliases = Enum.GetValues<T>().SelectMany(AliasesOf).ToList();
            return aliases.Count == 0
                ? $"{names} (any case; dashes, underscores and spaces are ignored)"
                : $"{names}, or {string.Join(", ", aliases)} (any case; dashes, underscores and spaces are ignored)";
        }
    }
}
