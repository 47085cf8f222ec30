using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Touchpoint.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InteractionsChannelIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_interactions_channel_started_at",
                table: "interactions",
                columns: new[] { "channel", "started_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_interactions_channel_started_at",
                table: "interactions");
        }
    }
}
