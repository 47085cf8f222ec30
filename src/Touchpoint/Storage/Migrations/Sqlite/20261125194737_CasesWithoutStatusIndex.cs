using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Touchpoint.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CasesWithoutStatusIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_customer_id_status",
                table: "cases");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_cases_customer_id_status",
                table: "cases",
                columns: new[] { "customer_id", "status" });
        }
    }
}
