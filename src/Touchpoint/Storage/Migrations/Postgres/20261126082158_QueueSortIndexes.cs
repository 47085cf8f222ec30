using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Touchpoint.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class QueueSortIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The interaction list sorted by queue, blanks last both ways, in one index walk per direction: the first leads
            // with "queue IS NULL" (ascending), the second with "queue IS NOT NULL" (walked backwards for descending). Indexes
            // on expressions, which EF Core's model cannot describe; they match InteractionSearch's order word for word (a
            // test checks that the plans use them).
            migrationBuilder.Sql("""CREATE INDEX "IX_interactions_queue_blanks_last" ON "interactions" (("queue" IS NULL), "queue", "started_at");""");
            migrationBuilder.Sql("""CREATE INDEX "IX_interactions_queue_blanks_last_desc" ON "interactions" (("queue" IS NOT NULL), "queue", "started_at");""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX "IX_interactions_queue_blanks_last";""");
            migrationBuilder.Sql("""DROP INDEX "IX_interactions_queue_blanks_last_desc";""");
        }
    }
}
