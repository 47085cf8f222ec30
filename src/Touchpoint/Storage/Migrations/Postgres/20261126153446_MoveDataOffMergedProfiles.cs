using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Touchpoint.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MoveDataOffMergedProfiles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A customer row for a profile merged away (a CRM still sending the duplicate) stored the email, phone or
            // handle it named on that profile, and later contacts naming them were stored there too, out of sight of the
            // survivor's 360 page, context, counts and segments. Everything a merge moves is moved to the survivor now, as
            // a merge would have; the merged profiles' cases are dropped and the survivors marked for deriving, as an
            // interrupted import leaves its customers (the server's repair job, the next import or `recompute --pending`
            // derives their cases again from the contacts). Consents and other fields stay, as a merge leaves them.
            migrationBuilder.Sql("""
                INSERT INTO pending_derivations (customer_id, marked_at)
                SELECT DISTINCT c.merged_into_id, TIMESTAMPTZ '2000-01-01 00:00:00+00'
                FROM customers c
                WHERE c.merged_into_id IS NOT NULL
                  AND (EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id)
                    OR EXISTS (SELECT 1 FROM customer_identities ci WHERE ci.customer_id = c.id)
                    OR EXISTS (SELECT 1 FROM feedback_responses f WHERE f.customer_id = c.id))
                  AND NOT EXISTS (SELECT 1 FROM pending_derivations p WHERE p.customer_id = c.merged_into_id);

                UPDATE interactions SET case_id = NULL
                WHERE customer_id IN (SELECT id FROM customers WHERE merged_into_id IS NOT NULL);

                DELETE FROM cases WHERE customer_id IN (SELECT id FROM customers WHERE merged_into_id IS NOT NULL);

                UPDATE interactions SET customer_id = (SELECT c.merged_into_id FROM customers c WHERE c.id = interactions.customer_id)
                WHERE customer_id IN (SELECT id FROM customers WHERE merged_into_id IS NOT NULL);

                UPDATE messages SET customer_id = (SELECT c.merged_into_id FROM customers c WHERE c.id = messages.customer_id)
                WHERE customer_id IN (SELECT id FROM customers WHERE merged_into_id IS NOT NULL);

                UPDATE feedback_responses SET customer_id = (SELECT c.merged_into_id FROM customers c WHERE c.id = feedback_responses.customer_id)
                WHERE customer_id IN (SELECT id FROM customers WHERE merged_into_id IS NOT NULL);

                UPDATE customer_identities SET customer_id = (SELECT c.merged_into_id FROM customers c WHERE c.id = customer_identities.customer_id)
                WHERE customer_id IN (SELECT id FROM customers WHERE merged_into_id IS NOT NULL);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
