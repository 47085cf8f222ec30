using System.ComponentModel.DataAnnotations;

namespace Touchpoint.Storage;

/// <summary>Where the data lives. SQLite needs nothing; PostgreSQL is chosen by setting Provider.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Connection string; for SQLite the default is a file under .db/ in the working directory.</summary>
    [Required]
    public string ConnectionString { get; set; } = "Data Source=.db/touchpoint.db";

    /// <summary>Apply pending migrations when the server starts. Always on for SQLite; opt-in for PostgreSQL.</summary>
    public bool MigrateOnStartup { get; set; }
}
