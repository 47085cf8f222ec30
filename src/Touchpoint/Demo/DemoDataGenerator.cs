using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Touchpoint.Customers;
using Touchpoint.Customers.Segments;
using Touchpoint.Feedback;
using Touchpoint.Import;
using Touchpoint.Interactions;
using Touchpoint.Storage;

namespace Touchpoint.Demo;

public sealed record DemoSize(int Customers = 25_000, int Agents = 250, double ContactsPerCustomer = 12, int Seed = 20261124)
{
    public static readonly DemoSize Default = new();
}

public sealed record DemoSummary(long Customers, long Agents, long Interactions, long Cases, long Feedback, TimeSpan Elapsed);

/// <summary>
/// Builds a realistic contact-center history (customers, agents, two years of interactions on every channel
/// with transcripts, cases and feedback) and feeds it through the same ingestion path as real data.
/// Deterministic for a seed and a "now".
/// </summary>
public sealed class DemoDataGenerator(DatabaseTarget target, IOptions<InteractionOptions> options, IOptions<CustomerOptions> customerOptions, TimeProvider time)
{
    private static readonly (Channel Channel, int Weight)[] ChannelMix =
    [
        (Channel.Phone, 35), (Channel.Email, 14), (Channel.Chat, 20), (Channel.Sms, 5), (Channel.Social, 5),
        (Channel.SelfService, 10), (Channel.InApp, 6), (Channel.Bot, 5),
    ];

    public async Task<DemoSummary> GenerateAsync(DemoSize size, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var now = time.GetUtcNow().UtcDateTime;
        var random = new Random(size.Seed);

        var agents = await CreateAgentsAsync(size, random, now, cancellationToken);
        var customers = Enumerable.Range(1, size.Customers).Select(n => NewCustomer(n, random, now, customerOptions.Value.PhoneRegion)).ToList();
        var customerSummary = await new CustomerIngestor(target, time, options, customerOptions).IngestAsync(
            customers.Select((c, n) => new ImportRow<CustomerInput>(n + 1, c)), progress, cancellationToken: cancellationToken);

        var feedback = new List<FeedbackInput>();
        var interactions = Interactions(customers, agents, size, new Random(size.Seed + 1), now, feedback);
        var summary = await new InteractionIngestor(target, options, customerOptions, time).IngestAsync(
            interactions.Select((x, n) => new ImportRow<InteractionInput>(n + 1, x)), progress, cancellationToken: cancellationToken);
        var feedbackSummary = await new FeedbackIngestor(target, time, customerOptions).IngestAsync(
            feedback.Select((f, n) => new ImportRow<FeedbackInput>(n + 1, f)), cancellationToken: cancellationToken);
        await using (var db = StorageServices.CreateDb(target))
        {
            // The saved segments and personas the demo's customer list and 360 pages show.
            await new SegmentService(db, time, options).EnsureDefaultsAsync(cancellationToken);
        }

        return new DemoSummary(customerSummary.Imported, agents.Count, summary.Imported, summary.CasesDerived, feedbackSummary.Imported, stopwatch.Elapsed);
    }

    /// <summary>
    /// A mobile number of <paramref name="region"/> unique to customer <paramref name="n"/>, written the way people
    /// there write it ("(201) 482-7100" in the US), so the demo's numbers are found when typed as a local would. Two
    /// customers drawn the same number collided on the identity, and the customer import refused the second (24,999
    /// of 25,000 stored on some days): the region's example mobile number keeps its first digits (the area code in the
    /// US) and the rest is n × 48,271 mod 10^k, which gives each n up to 10^k its own number (48,271 shares no factor
    /// with 10).
    /// </summary>
    internal static string Phone(int n, Random random, string region)
    {
        _ = random.Next(); // the draw the number used to take: the rest of the data set stays as it was
        var numbers = PhoneNumbers.PhoneNumberUtil.GetInstance();
        var example = numbers.GetExampleNumberForType(region, PhoneNumbers.PhoneNumberType.MOBILE) ?? numbers.GetExampleNumber(region);
        var national = numbers.GetNationalSignificantNumber(example);
        var digits = Math.Min(7, national.Length - 2);
        var modulus = (long)Math.Pow(10, digits);
        var own = (n * 48_271L % modulus).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
        var number = numbers.Parse("+" + example.CountryCode + national[..^digits] + own, null);
        return numbers.Format(number, PhoneNumbers.PhoneNumberFormat.NATIONAL);
    }

    private async Task<List<Agent>> CreateAgentsAsync(DemoSize size, Random random, DateTime now, CancellationToken cancellationToken)
    {
        _ = now;
        // Every name is drawn even when the agents are stored already: skipping the draws shifted everything after them,
        // so a second run (or a second node) made other customers and contacts under the same ids.
        var drawn = Enumerable.Range(1, size.Agents).Select(n =>
        {
            var first = Pick(random, DemoScript.FirstNames);
            var last = Pick(random, DemoScript.LastNames);
            return new Agent
            {
                ExternalId = $"demo-a-{n:000}",
                Name = $"{first} {last}",
                Team = DemoScript.Teams[n % DemoScript.Teams.Length],
                Email = $"{first}.{last}.{n}@agents.touchpoint.local".ToLowerInvariant(),
            };
        }).ToList();
        await using var db = StorageServices.CreateDb(target);
        var stored = await db.Agents.Where(a => a.ExternalId.StartsWith("demo-a-")).ToDictionaryAsync(a => a.ExternalId, cancellationToken);
        db.Agents.AddRange(drawn.Where(a => !stored.ContainsKey(a.ExternalId)));
        await db.SaveChangesAsync(cancellationToken);
        // In the order drawn, as a first run has them: the contacts pick agents by position.
        return drawn.Select(a => stored.GetValueOrDefault(a.ExternalId) ?? a).ToList();
    }

    private static CustomerInput NewCustomer(int n, Random random, DateTime now, string phoneRegion)
    {
        var first = Pick(random, DemoScript.FirstNames);
        var last = Pick(random, DemoScript.LastNames);
        var (city, country, timeZone) = Pick(random, DemoScript.Cities);
        var business = random.NextDouble() < 0.12;
        var plan = business ? "business" : Weighted(random, [("basic", 35), ("standard", 40), ("premium", 25)]);
        var products = DemoScript.Products.Where(_ => random.NextDouble() < 0.35).ToList();
        if (products.Count == 0)
        {
            products.Add("mobile");
        }
        var preferred = Weighted(random, [(Channel.Email, 30), (Channel.Phone, 25), (Channel.Sms, 15), (Channel.Chat, 12), (Channel.InApp, 12), (Channel.Social, 6)]);
        var language = country switch
        {
            "RU" => "ru",
            "DE" => "de",
            "ES" => "es",
            "FR" => "fr",
            "PL" => "pl",
            "PT" => "pt",
            _ => "en",
        };
        // Unique per customer: a shared handle would resolve two people to one profile.
        var handle = random.NextDouble() < 0.3 ? $"{first}{last[0]}{n}".ToLowerInvariant() : null;
        var quiet = random.NextDouble() < 0.5;
        return new CustomerInput
        {
            ExternalId = $"demo-c-{n:00000}",
            Name = business ? $"{last} {Pick(random, ["GmbH", "Ltd", "& Co", "Group", "Services"])}" : $"{first} {last}",
            Email = $"{first}.{last}{n}@example.com".ToLowerInvariant(),
            Phone = Phone(n, random, phoneRegion),
            SocialHandle = handle,
            BirthYear = business ? null : random.Next(1945, 2006),
            Gender = business ? null : Pick(random, ["female", "male", "female", "male", "other"]),
            City = city,
            Country = country,
            TimeZone = timeZone,
            AccountType = business ? "business" : "consumer",
            AccountStatus = Weighted(random, [("active", 92), ("suspended", 3), ("closed", 5)]),
            Plan = plan,
            Products = products,
            Revenue = Math.Round(plan switch { "basic" => 240, "standard" => 480, "premium" => 900, _ => 3600 } * (0.6 + random.NextDouble()), 2),
            CustomerSince = now.AddDays(-random.Next(1, 8 * 365)).Date,
            Language = language,
            PreferredChannel = preferred,
            // Both ends or none: drawn apart, a quarter of the customers had only a start and a quarter only an end,
            // which no page or rule can use.
            QuietHoursStart = quiet ? new TimeOnly(21, 0) : null,
            QuietHoursEnd = quiet ? new TimeOnly(8, 0) : null,
            Consents = new Dictionary<Channel, bool>
            {
                [Channel.Email] = random.NextDouble() < 0.8,
                [Channel.Sms] = random.NextDouble() < 0.6,
                [Channel.Phone] = random.NextDouble() < 0.7,
                [Channel.InApp] = random.NextDouble() < 0.5,
            },
        };
    }

    private static IEnumerable<InteractionInput> Interactions(List<CustomerInput> customers, List<Agent> agents, DemoSize size, Random random,
        DateTime now, List<FeedbackInput> feedback)
    {
        var agentsByTeam = agents.GroupBy(a => a.Team ?? "General").ToDictionary(g => g.Key, g => g.ToArray());
        var reasonWeights = DemoScript.Reasons.Select(r => (r, r.Weight)).ToArray();
        var span = TimeSpan.FromDays(730);
        var sequence = 0;
        foreach (var customer in customers)
        {
            // Contact frequency is heavy-tailed: most customers call a few times, some very often.
            var activity = Math.Exp(random.NextGaussian() * 0.8);
            var issues = (int)Math.Round(size.ContactsPerCustomer / 1.4 * activity / 1.377);
            for (var issue = 0; issue < issues; issue++)
            {
                var reason = Weighted(random, reasonWeights);
                // Nobody contacts us before they became a customer: newer customers' histories are shorter.
                var earliest = customer.CustomerSince is { } since && since > now - span ? since : now - span;
                var start = earliest + TimeSpan.FromSeconds(random.NextDouble() * (now - earliest).TotalSeconds);
                start = start.Date.AddHours(7 + random.Next(0, 14)).AddMinutes(random.Next(0, 60)).AddSeconds(random.Next(0, 60));
                if (start > now)
                {
                    start = now.AddHours(-random.Next(1, 48));
                }
                if (start < earliest)
                {
                    start = earliest; // a customer who joined today
                }
                var channel = random.NextDouble() < 0.35 && customer.PreferredChannel is { } preferred && reason.Channels.Contains(preferred)
                    ? preferred
                    : Weighted(random, ChannelMix.Where(c => reason.Channels.Contains(c.Channel)).ToArray());
                var contacts = random.NextDouble() < reason.FirstContactResolution ? 1 : random.Next(2, 5);
                var at = start;
                for (var contact = 0; contact < contacts; contact++)
                {
                    if (at > now)
                    {
                        break;
                    }
                    var last = contact == contacts - 1;
                    var recent = now - at < TimeSpan.FromDays(5);
                    var outcome = !last ? Weighted(random, [(Outcome.Unresolved, 70), (Outcome.FollowUp, 20), (Outcome.Escalated, 10)])
                        : recent && random.NextDouble() < 0.5 ? Outcome.FollowUp
                        : random.NextDouble() < 0.93 ? Outcome.Resolved : Outcome.Unresolved;
                    if (channel is Channel.Bot or Channel.SelfService && !last)
                    {
                        outcome = Outcome.Escalated;
                    }
                    var interaction = NewInteraction(++sequence, customer, reason, channel, at, outcome, agentsByTeam, random);
                    yield return interaction;
                    if (interaction.AgentExternalId is not null && random.NextDouble() < 0.14)
                    {
                        var good = outcome == Outcome.Resolved;
                        var score = good ? Weighted(random, [(5, 55), (4, 30), (3, 10), (2, 3), (1, 2)]) : Weighted(random, [(1, 35), (2, 30), (3, 25), (4, 10)]);
                        feedback.Add(new FeedbackInput
                        {
                            ExternalId = $"demo-f-{sequence}",
                            CustomerExternalId = customer.ExternalId,
                            InteractionExternalId = interaction.ExternalId,
                            Kind = FeedbackKind.Csat,
                            Score = score,
                            Comment = score <= 2 ? Pick(random, ["Nobody could help me.", "I had to explain everything again.", "Took far too long."])
                                : score >= 5 ? Pick(random, ["Very helpful agent, thanks!", "Quick and friendly.", null]) : null,
                            RespondedAt = (interaction.EndedAt ?? interaction.StartedAt).AddHours(random.Next(1, 30)),
                        });
                    }
                    // Unresolved issues come back within days, often on another channel.
                    at = at.AddHours(random.Next(6, 5 * 24));
                    if (random.NextDouble() < 0.5)
                    {
                        channel = Weighted(random, ChannelMix.Where(c => reason.Channels.Contains(c.Channel) && c.Channel != Channel.Bot && c.Channel != Channel.SelfService).ToArray());
                    }
                }
            }
            if (random.NextDouble() < 0.25)
            {
                var score = Weighted(random, [(10, 18), (9, 20), (8, 20), (7, 14), (6, 8), (5, 6), (4, 4), (3, 4), (2, 3), (1, 2), (0, 1)]);
                feedback.Add(new FeedbackInput
                {
                    ExternalId = $"demo-nps-{customer.ExternalId}",
                    CustomerExternalId = customer.ExternalId,
                    Kind = FeedbackKind.Nps,
                    Score = score,
                    Comment = score <= 6 ? Pick(random, ["Prices keep going up.", "The internet drops too often.", "Support never calls back."])
                        : score >= 9 ? Pick(random, ["Reliable service.", "Great value for money.", "Friendly support."]) : null,
                    RespondedAt = now.AddDays(-random.Next(1, 365)),
                });
            }
        }
    }

    private static InteractionInput NewInteraction(int n, CustomerInput customer, DemoReason reason, Channel channel, DateTime at, Outcome outcome,
        Dictionary<string, Agent[]> agentsByTeam, Random random)
    {
        var automated = channel is Channel.Bot or Channel.SelfService;
        var agent = automated ? null : Pick(random, agentsByTeam.GetValueOrDefault(reason.Queue) ?? agentsByTeam.Values.First());
        int? firstResponse = channel switch
        {
            Channel.Phone => (int)Exponential(random, 28),
            Channel.Chat => (int)Exponential(random, 45),
            Channel.Email => (int)Exponential(random, 6 * 3600),
            Channel.Social => (int)Exponential(random, 40 * 60),
            Channel.Sms => (int)Exponential(random, 10 * 60),
            Channel.InApp => (int)Exponential(random, 25 * 60),
            Channel.Bot => random.Next(0, 3),
            Channel.SelfService => null,
        };
        var voice = channel == Channel.Phone;
        var talk = channel switch
        {
            Channel.Phone => random.Next(90, 1100),
            Channel.Chat => random.Next(180, 1500),
            Channel.Bot or Channel.SelfService => 0,
            _ => random.Next(60, 600),
        };
        var hold = voice && random.NextDouble() < 0.4 ? random.Next(10, 240) : 0;
        var wrap = automated ? 0 : random.Next(15, 150);
        var transfers = automated ? 0 : Weighted(random, [(0, 88), (1, 10), (2, 2)]);
        var outbound = !automated && random.NextDouble() < 0.04;

        // The conversation fills the contact: the customer opens it, the agent (or bot) answers at the first response,
        // and the rest falls between that and the end (talk and hold; a bot's or self-service exchange takes a moment).
        var span = talk + hold > 0 ? talk + hold : random.Next(20, 120);
        var answered = at.AddSeconds(firstResponse ?? 0);
        DateTime Within(double from, double to) => answered.AddSeconds(Math.Round(span * (from + (to - from) * random.NextDouble())));
        var messages = new List<MessageInput>();
        var agentAuthor = automated ? MessageAuthor.Bot : MessageAuthor.Agent;
        messages.Add(new MessageInput(MessageAuthor.Customer, at, Pick(random, reason.CustomerOpeners)));
        messages.Add(new MessageInput(agentAuthor, answered, Pick(random, reason.AgentReplies)));
        if (random.NextDouble() < 0.6 || outcome != Outcome.Resolved)
        {
            messages.Add(new MessageInput(MessageAuthor.Customer, Within(0.1, 0.4), Pick(random, reason.CustomerFollowUps)));
        }
        messages.Add(new MessageInput(agentAuthor, Within(0.5, 0.85), outcome == Outcome.Resolved ? Pick(random, reason.Resolutions)
            : automated ? "Let me connect you with one of our agents." : "I'll look into this further and get back to you."));
        if (outcome == Outcome.Resolved)
        {
            messages.Add(new MessageInput(MessageAuthor.Customer, Within(0.9, 1.0), Pick(random, ["Thank you!", "Thanks, that helps.", "OK.", "Great, thanks a lot."])));
        }

        return new InteractionInput
        {
            ExternalId = $"demo-i-{n:0000000}",
            CustomerExternalId = customer.ExternalId,
            Channel = channel,
            Direction = outbound ? Direction.Outbound : Direction.Inbound,
            StartedAt = at,
            EndedAt = answered.AddSeconds(span),
            AgentExternalId = agent?.ExternalId,
            AgentName = agent?.Name,
            Queue = automated ? (channel == Channel.Bot ? "Bot" : "Self-service") : reason.Queue,
            FirstResponseSeconds = outbound ? null : firstResponse,
            TalkSeconds = talk,
            HoldSeconds = hold,
            WrapSeconds = wrap,
            Transfers = transfers,
            Reason = reason.Name,
            Outcome = outcome,
            Subject = reason.Name[..1].ToUpperInvariant() + reason.Name[1..],
            Messages = messages,
        };
    }

    private static double Exponential(Random random, double mean) => -mean * Math.Log(1 - random.NextDouble());

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static T Weighted<T>(Random random, IReadOnlyList<(T Item, int Weight)> items)
    {
        var total = items.Sum(i => i.Weight);
        var x = random.Next(total);
        foreach (var (item, weight) in items)
        {
            x -= weight;
            if (x < 0)
            {
                return item;
            }
        }
        return items[^1].Item;
    }
}

internal static class RandomExtensions
{
    /// <summary>Standard normal draw (Box-Muller).</summary>
    public static double NextGaussian(this Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
