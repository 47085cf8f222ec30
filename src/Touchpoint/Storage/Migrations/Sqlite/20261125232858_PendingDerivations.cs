using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Touchpoint.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PendingDerivations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Outside the EF model: customers an import wrote without deriving them (another writer changed them
            // mid-run, a row of theirs was taken, a merge moved them), marked in the same transaction as those rows.
            // Any recomputation of a customer clears its mark; one that an import left behind (it failed before its
            // end) is derived by the next import, `touchpoint recompute --pending`, or the server's repair job.
            migrationBuilder.Sql("""
                CREATE TABLE pending_derivations (customer_id INTEGER PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE, marked_at TEXT NOT NULL);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE pending_derivations;");
        }
    }
}
