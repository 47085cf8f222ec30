using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore;
using Touchpoint.Customers;
using Touchpoint.Customers.Segments;
using Touchpoint.Interactions;
using Touchpoint.Tests.Infrastructure;
using static Touchpoint.Tests.Infrastructure.Ingest;

namespace Touchpoint.Tests.Web;

/// <summary>
/// A small known data set fed through the real ingestors: Ada (premium) with contacts on phone, email and chat and one
/// open case across email and chat; Bob (basic) with one phone call; Cleo (premium) with no contacts; a "Premium" segment.
/// </summary>
public sealed record WebSeed(long Ada, long Bob, long Cleo, long Premium, long AdaEmailContact, long AdaChatContact, long AdaPhoneContact)
{
    public const string AdaEmail = "Ada.Lovelace@Example.com";
    public const string AdaPhone = "+1 555 010 2000";

    /// <summary>A time at which Ada's open case is still open: its last contact (T0 + 11 days) is 9 days old.</summary>
    public static readonly DateTimeOffset Now = new(T0.AddDays(20));

    public static async Task<WebSeed> CreateAsync(TestDatabase database)
    {
        var ct = TestContext.Current.CancellationToken;
        await CustomersAsync(database,
            new CustomerInput
            {
                ExternalId = "c-ada", Name = "Ada Lovelace", Email = AdaEmail, Phone = AdaPhone, SocialHandle = "@ada_l",
                Plan = "premium", City = "London", Country = "GB", Language = "en", TimeZone = "Europe/London",
                PreferredChannel = Channel.Email, QuietHoursStart = new TimeOnly(21, 0), QuietHoursEnd = new TimeOnly(8, 0),
                Consents = new Dictionary<Channel, bool> { [Channel.Email] = true, [Channel.Sms] = false },
            },
            new CustomerInput { ExternalId = "c-bob", Name = "Bob Builder", Email = "bob@example.com", Phone = "+44 20 7946 0000", Plan = "basic", City = "Leeds" },
            new CustomerInput { ExternalId = "c-cleo", Name = "Cleo Patra", Email = "cleo@example.com", Plan = "premium", City = "Cairo" });
        await InteractionsAsync(database,
        [
            Contact("ada-phone", "c-ada", Channel.Phone, T0, "billing question", Outcome.Resolved, firstResponse: 15),
            Contact("ada-email", "c-ada", Channel.Email, T0.AddDays(10), "refund request", Outcome.Unresolved, firstResponse: 3600, caseId: "T-1"),
            Contact("ada-chat", "c-ada", Channel.Chat, T0.AddDays(11), "refund request", Outcome.FollowUp, firstResponse: 30, caseId: "T-1"),
            Contact("bob-phone", "c-bob", Channel.Phone, T0.AddDays(1), "roaming", Outcome.Resolved, firstResponse: 10),
        ]);
        await using var db = database.CreateDb();
        var premium = await new SegmentService(db, TimeProvider.System, Options.Create(new InteractionOptions())).CreateAsync(
            new SegmentDraft("Premium", SegmentKind.Segment, "plan = \"premium\""), ct);
        var customers = await db.Customers.ToDictionaryAsync(c => c.ExternalId, c => c.Id, ct);
        var contacts = await db.Interactions.ToDictionaryAsync(i => i.ExternalId, i => i.Id, ct);
        return new WebSeed(customers["c-ada"], customers["c-bob"], customers["c-cleo"], premium.Segment!.Id,
            contacts["ada-email"], contacts["ada-chat"], contacts["ada-phone"]);
    }
}
