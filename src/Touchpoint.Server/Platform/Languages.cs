namespace Touchpoint.Server.Platform;

/// <summary>The UI languages. Their names are written in their own language (endonyms), the same in every UI.</summary>
public static class Languages
{
    public const string Default = "en";

    public static readonly string[] All = ["en", "ru"];

    public static string Name(string culture) => culture switch
    {
        "ru" => "Русский",
        _ => "English",
    };
}
