using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Touchpoint.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TimelineStripes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Outside the EF model: every writer of customers' timelines (ingestion, recompute, merge) bumps the
            // versions of its customers' lock stripes under those locks, so a long import can tell whether anyone
            // else wrote its customers since it read them (see BulkWriter). One row per stripe, 0-255.
            migrationBuilder.Sql("""
                CREATE TABLE timeline_stripes (stripe integer PRIMARY KEY, version bigint NOT NULL DEFAULT 0);
                INSERT INTO timeline_stripes (stripe) SELECT s FROM generate_series(0, 255) AS s;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE timeline_stripes;");
        }
    }
}
