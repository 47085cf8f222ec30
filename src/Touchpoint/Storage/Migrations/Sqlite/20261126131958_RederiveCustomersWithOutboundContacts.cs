using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Touchpoint.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RederiveCustomersWithOutboundContacts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Repeat contact, first-contact resolution and channel switch are now told from the customer's own (inbound)
            // contacts; only customers with an outbound contact can derive otherwise. They are marked as an interrupted
            // import leaves its customers (long ago, so the server's repair job takes them at its next run, as do the
            // next CLI import and `touchpoint recompute --pending`), rather than left with the old flags.
            migrationBuilder.Sql("""
                INSERT INTO pending_derivations (customer_id, marked_at)
                SELECT c.id, '2000-01-01 00:00:00'
                FROM customers c
                WHERE c.merged_into_id IS NULL
                  AND EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id AND i.direction = 'Outbound')
                  AND NOT EXISTS (SELECT 1 FROM pending_derivations p WHERE p.customer_id = c.id);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
