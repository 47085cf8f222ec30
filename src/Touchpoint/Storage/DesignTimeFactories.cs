using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Touchpoint.Storage;

// Used only by `dotnet ef migrations add`; the connection strings are never opened there.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteTouchpointDb>
{
    public SqliteTouchpointDb CreateDbContext(string[] args)
    {
        var b = new DbContextOptionsBuilder<SqliteTouchpointDb>();
        StorageServices.ConfigureSqlite(b, "Data Source=design.db");
        return new SqliteTouchpointDb(b.Options);
    }
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresTouchpointDb>
{
    public PostgresDesignTimeFactory()
    {
    }

    public PostgresTouchpointDb CreateDbContext(string[] args)
    {
        var b = new DbContextOptionsBuilder<PostgresTouchpointDb>();
        StorageServices.ConfigurePostgres(b, "Host=localhost;Database=design");
        return new PostgresTouchpointDb(b.Options);
    }
}
