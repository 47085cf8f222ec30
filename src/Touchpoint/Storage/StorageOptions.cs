using System.ComponentModel.DataAnnotations;

namespace Touchpoint.Storage;

/// <summary>Where the data lives. SQLite needs nothing; PostgreSQL is chosen by setting Provider.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// Connection string. The SQLite default is one file per user (<see cref="DefaultSqliteFile"/>), so the server and the
    /// CLI find the same data wherever they are started from (`dotnet run` starts each in its own project folder).
    /// </summary>
    [Required]
    public string ConnectionString { get; set; } = "Data Source=" + DefaultSqliteFile;

    /// <summary>~/.local/share/touchpoint/touchpoint.db on Linux (the local application data folder elsewhere).</summary>
    public static string DefaultSqliteFile
    {
        get
        {
            // DoNotVerify: on a fresh account ~/.local/share may not exist yet (it is created with the database's
            // folder); verifying would give "" and put the database in the working directory instead.
            var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            return string.IsNullOrEmpty(data) ? Path.Combine(".db", "touchpoint.db") : Path.Combine(data, "touchpoint", "touchpoint.db");
        }
    }

    /// <summary>Apply pending migrations when the server starts. Always on for SQLite; opt-in for PostgreSQL.</summary>
    public bool MigrateOnStartup { get; set; }
}
