using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Touchpoint.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TimelineStripes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Outside the EF model: every writer of customers' timelines (ingestion, recompute, merge) bumps the
            // versions of its customers' lock stripes inside its write transaction, so a long import can tell whether
            // anyone else wrote its customers since it read them (see BulkWriter). One row per stripe, 0-255.
            migrationBuilder.Sql("""
                CREATE TABLE timeline_stripes (stripe INTEGER PRIMARY KEY, version INTEGER NOT NULL DEFAULT 0);
                WITH RECURSIVE s(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM s WHERE x < 255)
                INSERT INTO timeline_stripes (stripe) SELECT x FROM s;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE timeline_stripes;");
        }
    }
}
