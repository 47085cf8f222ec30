using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Touchpoint.Customers;
using Touchpoint.Customers.Segments;
using Touchpoint.Interactions;
using Touchpoint.Storage;
using Touchpoint.Tests.Infrastructure;
using Touchpoint.Tests.Web;

namespace Touchpoint.Tests.Customers;

/// <summary>The read queries behind the customer pages and API, on both databases.</summary>
public sealed class CustomerQueriesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, ClassData(typeof(Providers))]
    public async Task Search_PagesByName_CountsOpenCases_AndSkipsMergedProfiles(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var db = database.CreateDb();
        var clock = new FakeTimeProvider(WebSeed.Now);
        var search = new CustomerSearch(db, clock, Options.Create(new InteractionOptions()), Options.Create(new CustomerOptions()));

        var first = await search.SearchAsync(new CustomerQuery(PageSize: 2), Ct);
        var second = await search.SearchAsync(new CustomerQuery(Page: 2, PageSize: 2), Ct);

        Assert.Equal((3, 2), (first.Total, first.PageCount));
        Assert.Equal(["Ada Lovelace", "Bob Builder"], first.Items.Select(c => c.Name));
        Assert.Equal(["Cleo Patra"], second.Items.Select(c => c.Name));
        var ada = first.Items[0];
        Assert.Equal((1, Ingest.T0.AddDays(11)), (ada.OpenCases, ada.LastContactAt));
        Assert.Null(second.Items[0].LastContactAt);

        await db.Customers.Where(c => c.Id == seed.Bob).ExecuteUpdateAsync(s => s.SetProperty(c => c.MergedIntoId, seed.Ada), Ct);
        Assert.Equal(["Ada Lovelace", "Cleo Patra"], (await search.SearchAsync(new CustomerQuery(), Ct)).Items.Select(c => c.Name));
        Assert.Empty((await search.SearchAsync(new CustomerQuery("bob@example.com"), Ct)).Items);

        // Thirty days after its last contact, Ada's unresolved case is closed: no longer counted as open.
        clock.SetUtcNow(new DateTimeOffset(Ingest.T0.AddDays(11)) + new InteractionOptions().CaseCloseAfter - TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await search.SearchAsync(new CustomerQuery(PageSize: 1), Ct)).Items[0].OpenCases);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, (await search.SearchAsync(new CustomerQuery(PageSize: 1), Ct)).Items[0].OpenCases);
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Search_ByName_FindsTheWordsInAnyOrder_AndByTheProfileNumber(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var db = database.CreateDb();
        var search = new CustomerSearch(db, new FakeTimeProvider(WebSeed.Now), Options.Create(new InteractionOptions()), Options.Create(new CustomerOptions()));
        async Task<List<string>> Found(string text) => (await search.SearchAsync(new CustomerQuery(text), Ct)).Items.Select(c => c.Name).ToList();

        Assert.Equal(["Ada Lovelace"], await Found("Lovelace Ada"));
        Assert.Equal(["Ada Lovelace"], await Found("ada\tlove"));
        Assert.Equal(["Ada Lovelace"], await Found("  Ada   Lovelace "));
        Assert.Empty(await Found("Ada Builder"));
        // The number in the profile's address.
        Assert.Equal(["Bob Builder"], await Found(seed.Bob.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Search_ByName_IgnoresAccents_AndFillsTheSearchNameOfRowsStoredBeforeIt(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(database,
            new CustomerInput { ExternalId = "z", Name = "Zoë Müller-Łukasz" }, new CustomerInput { ExternalId = "s", Name = "SØREN STRAßE" });
        await using var db = database.CreateDb();
        var search = new CustomerSearch(db, TimeProvider.System, Options.Create(new InteractionOptions()), Options.Create(new CustomerOptions()));
        async Task<List<string>> Found(string text) => (await search.SearchAsync(new CustomerQuery(text), Ct)).Items.Select(c => c.Name).ToList();

        foreach (var text in new[] { "muller", "Müller", "ZOE", "lukasz", "zoe muller" })
        {
            Assert.True(await Found(text) is ["Zoë Müller-Łukasz"], text);
        }
        Assert.True(await Found("soren strasse") is ["SØREN STRAßE"]);

        // A row stored before the column existed has none; migrating fills it.
        await db.Database.ExecuteSqlRawAsync("UPDATE customers SET search_name = NULL", Ct);
        Assert.Empty(await Found("muller"));
        await StorageServices.MigrateAsync(db, Ct);
        Assert.True(await Found("muller") is ["Zoë Müller-Łukasz"]);
    }

    [Theory]
    [InlineData("Zoë Müller", "zoe muller")]
    [InlineData("François Ångström", "francois angstrom")]
    [InlineData("Łukasz Øster-Straße", "lukasz oster-strasse")]
    [InlineData("Ана Иванова", "ана иванова")]
    public void Names_FoldToLowerCaseWithoutAccents(string name, string folded) => Assert.Equal(folded, CustomerNames.Fold(name));

    /// <summary>
    /// Identity searches are ranges (prefix &lt;= value &lt; the prefix with its last character raised). PostgreSQL
    /// databases mostly run a language's collation (the tests' is ICU en-US), under which "z" sorts after "{" and "9"
    /// after ":", so a prefix ending in either fell outside its own range until the keys were compared by code point.
    /// </summary>
    [Theory, ClassData(typeof(Providers))]
    public async Task Search_ByPrefixesEndingInZOr9_FindsTheirKeys_WhateverTheDatabasesCollation(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(database,
            new CustomerInput { ExternalId = "acct-19", Name = "Liz Taylor", Email = "lizzy@example.com", SocialHandle = "@buzz_9" },
            new CustomerInput { ExternalId = "acct-29", Name = "Carl Nine", Email = "c9@example.com", Phone = "+1 201 555 0199", CrmId = "SF-0099" });
        await using var db = database.CreateDb();
        var search = new CustomerSearch(db, TimeProvider.System, Options.Create(new InteractionOptions()), Options.Create(new CustomerOptions()));
        async Task<List<string>> Found(string text) => (await search.SearchAsync(new CustomerQuery(text), Ct)).Items.Select(c => c.Name).ToList();

        foreach (var (text, name) in new[] { ("lizz", "Liz Taylor"), ("@buzz", "Liz Taylor"), ("@buzz_9", "Liz Taylor"), ("acct-19", "Liz Taylor"),
            ("c9", "Carl Nine"), ("c9@", "Carl Nine"), ("+1 201 555 019", "Carl Nine"), ("SF-009", "Carl Nine"), ("acct-29", "Carl Nine") })
        {
            Assert.True(await Found(text) is [var found] && found == name, $"{text}: {string.Join(", ", await Found(text))}");
        }
    }

    /// <summary>
    /// The range's upper end raised the last UTF-16 unit: after the second half of a pair (𠏿, U+203FF, ends in U+DFFF) or
    /// before the surrogates (U+D7FF) that made half a pair, which PostgreSQL's driver cannot send: the search failed.
    /// </summary>
    [Theory, ClassData(typeof(Providers))]
    public async Task Search_ByAPrefixEndingInACharacterOutsideTheBasicPlane_FindsItsKeys(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await Ingest.CustomersAsync(database,
            new CustomerInput { ExternalId = "k-\U000203FF\U000203FF", Name = "Pair Ending" },
            new CustomerInput { ExternalId = "k-\U000203FFb", Name = "Pair Then Letter" },
            new CustomerInput { ExternalId = "k-\U00020400", Name = "Next Pair" },
            new CustomerInput { ExternalId = "k-\uD7FFx", Name = "Before Surrogates" },
            new CustomerInput { ExternalId = "k-\uE000", Name = "After Surrogates" });
        await using var db = database.CreateDb();
        var search = new CustomerSearch(db, TimeProvider.System, Options.Create(new InteractionOptions()), Options.Create(new CustomerOptions()));
        async Task<List<string>> Found(string text) => [.. (await search.SearchAsync(new CustomerQuery(text), Ct)).Items.Select(c => c.Name).Order()];

        Assert.Equal(["Pair Ending", "Pair Then Letter"], await Found("k-\U000203FF"));
        Assert.Equal(["Before Surrogates"], await Found("k-\uD7FF"));
        Assert.Equal(["Next Pair"], await Found("k-\U00020400"));
        Assert.Equal("k-\U000203FF\U000203FF", CustomerSearch.UpperBound("k-\U000203FF\U000203FE"));
        Assert.Equal("k-\U00020400", CustomerSearch.UpperBound("k-\U000203FF"));
        Assert.Equal("k-\uE000", CustomerSearch.UpperBound("k-\uD7FF"));
        Assert.Equal("l", CustomerSearch.UpperBound("k\U0010FFFF"));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Search_UnknownSegment_SaysSoInsteadOfListingEveryone(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await WebSeed.CreateAsync(database);
        await using var db = database.CreateDb();

        var page = await new CustomerSearch(db, TimeProvider.System, Options.Create(new InteractionOptions()), Options.Create(new CustomerOptions())).SearchAsync(new CustomerQuery(SegmentId: 424242), Ct);

        Assert.True(page.SegmentMissing);
        Assert.Empty(page.Items);
    }

    [Theory]
    [InlineData("Ada.L@Example.com", "Email:ada.l@example.com")]
    [InlineData("+44 (20) 7946-0000", "Phone:+442079460000|Crm:+44 (20) 7946-0000")]
    // Read in the GB region as well: the national way ("0" then the number) and an international number without its "+".
    [InlineData("020 7946", "Phone:0207946|Phone:+44207946|Crm:020 7946")]
    [InlineData("44 20 7946", "Phone:44207946|Phone:+44207946|Phone:+4444207946|Crm:44 20 7946")]
    [InlineData("0049 30 12", "Phone:00493012|Phone:+493012|Crm:0049 30 12")]
    [InlineData("@Ada_L", "Social:ada_l|Email:@ada_l|Crm:@Ada_L")]
    [InlineData("Lovelace", "Social:lovelace|Email:lovelace|Crm:Lovelace")]
    public void SearchText_IsReadAsEachIdentityItCouldBe(string text, string expected)
    {
        var terms = CustomerSearch.Terms.From(text, "GB")!;
        Assert.Equal(expected, string.Join("|", terms.IdentityPrefixes.Select(p => $"{p.Kind}:{p.Prefix}")));
        // Only text that may be a name scans names; emails, numbers and handles stay on the identity index.
        Assert.Equal(text == "Lovelace" ? "lovelace" : null, terms.NameFragment);
    }

    [Fact]
    public void UpperBound_IsJustAboveEveryStringWithThePrefix()
    {
        var upper = CustomerSearch.UpperBound("ada");
        Assert.Equal("adb", upper);
        Assert.True(string.CompareOrdinal("ada\uffff", upper) < 0);
        Assert.True(string.CompareOrdinal("adb", upper) >= 0);
        // A last U+FFFF is raised to U+10000 (code points, as the databases compare), never wrapped to NUL.
        Assert.Equal("a\U00010000", CustomerSearch.UpperBound("a\uffff"));
        Assert.DoesNotContain('\0', CustomerSearch.UpperBound("\uffff"));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task Profile_And_Timeline_ReadOneCustomerAcrossChannels(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var db = database.CreateDb();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 4, 5, 0, 0, 0, TimeSpan.Zero));
        var timeline = new CustomerTimeline(db, clock);

        var lookup = await new CustomerProfiles(db, new SegmentService(db, clock, Options.Create(new InteractionOptions())), clock, Options.Create(new InteractionOptions())).FindAsync(seed.Ada, Ct);
        var profile = lookup.Profile!;
        Assert.Equal(["Email:ada.lovelace@example.com", "Phone:+15550102000", "Social:ada_l"], profile.Identities.Select(i => $"{i.Kind}:{i.Value}"));
        Assert.Equal([Channel.Email, Channel.Chat], Assert.Single(profile.OpenCases).Channels);
        Assert.Equal(["Premium"], profile.Segments.Segments.Select(s => s.Name));
        Assert.Equal(3, profile.InteractionCount);
        Assert.Equal(0, profile.ClosedUnresolvedCases);

        var newest = await timeline.PageAsync(seed.Ada, 1, 2, Ct);
        var older = await timeline.PageAsync(seed.Ada, 2, 2, Ct);
        Assert.Equal([Channel.Chat, Channel.Email], newest.Items.Select(i => i.Channel));
        Assert.True(newest.HasMore);
        Assert.Equal([Channel.Phone], older.Items.Select(i => i.Channel));
        Assert.False(older.HasMore);

        var months = await timeline.MonthlyAsync(seed.Ada, 3, Ct);
        Assert.Equal([new DateOnly(2026, 2, 1), new DateOnly(2026, 3, 1), new DateOnly(2026, 4, 1)], months.Select(m => m.Month));
        Assert.Equal([0, 3, 0], months.Select(m => m.Total));
        Assert.Equal(1, months[1].ByChannel[Channel.Chat]);

        // On 15 April the refund case has had no contact for 33 days: closed unresolved, counted but no longer listed as open.
        clock.SetUtcNow(new DateTimeOffset(2026, 4, 15, 0, 0, 0, TimeSpan.Zero));
        var later = (await new CustomerProfiles(db, new SegmentService(db, clock, Options.Create(new InteractionOptions())), clock, Options.Create(new InteractionOptions())).FindAsync(seed.Ada, Ct)).Profile!;
        Assert.Empty(later.OpenCases);
        Assert.Equal(1, later.ClosedUnresolvedCases);

        await db.Customers.Where(c => c.Id == seed.Cleo).ExecuteUpdateAsync(s => s.SetProperty(c => c.MergedIntoId, seed.Bob), Ct);
        await db.Customers.Where(c => c.Id == seed.Bob).ExecuteUpdateAsync(s => s.SetProperty(c => c.MergedIntoId, seed.Ada), Ct);
        var merged = await new CustomerProfiles(db, new SegmentService(db, clock, Options.Create(new InteractionOptions())), clock, Options.Create(new InteractionOptions())).FindAsync(seed.Cleo, Ct);
        Assert.Equal((null, seed.Ada), (merged.Profile, merged.MergedIntoId));
    }

    [Theory, ClassData(typeof(Providers))]
    public async Task CaseCloseWindow_ComesFromTheSettings_EverywhereACaseIsRead(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var seed = await WebSeed.CreateAsync(database);
        await using var db = database.CreateDb();
        // At WebSeed.Now Ada's refund case has had no contact for 9 days: open by default (30), closed with a 5-day window.
        var clock = new FakeTimeProvider(WebSeed.Now);
        var caseId = await db.Cases.Where(c => c.CustomerId == seed.Ada && c.ExternalId == "T-1").Select(c => c.Id).SingleAsync(Ct);

        async Task<string> ReadAsync(InteractionOptions settings)
        {
            var options = Options.Create(settings);
            var segments = new SegmentService(db, clock, options);
            var profiles = new CustomerProfiles(db, segments, clock, options);
            var listed = (await new CustomerSearch(db, clock, options, Options.Create(new CustomerOptions())).SearchAsync(new CustomerQuery("Ada"), Ct)).Items.Single();
            var profile = (await profiles.FindAsync(seed.Ada, Ct)).Profile!;
            var status = (await new InteractionDetails(db, clock, options).FindCaseAsync(caseId, Ct))!.Status;
            var inSegment = await segments.Members(SegmentRule.ParseValid("open_cases >= 1")).AnyAsync(c => c.Id == seed.Ada, Ct);
            var flags = (await new CustomerContextQuery(db, profiles, options, Options.Create(new CustomerOptions()), clock).GetAsync(seed.Ada, cancellationToken: Ct))!.Flags;
            return $"list {listed.OpenCases}, profile {profile.OpenCases.Count}/{profile.ClosedUnresolvedCases}, case {status}, segment {inSegment}, " +
                $"context {flags.OpenCases} {flags.UnresolvedLastContact}";
        }

        Assert.Equal("list 1, profile 1/0, case Open, segment True, context 1 True", await ReadAsync(new InteractionOptions()));
        Assert.Equal("list 0, profile 0/1, case Closed, segment False, context 0 False", await ReadAsync(new InteractionOptions { CloseCasesAfterDays = 5 }));
    }

    [Theory]
    [InlineData("CloseCasesAfterDays", "0")]
    [InlineData("RepeatWindowDays", "-1")]
    [InlineData("SlaSeconds:Phone", "-1")]
    [InlineData("SlaSeconds:Email", "0")]
    [InlineData("SlaSeconds:Chat", "40000000")]
    [InlineData("SlaSeconds:Twitter", "600")]
    [InlineData("SlaSeconds:In-App", "600")]
    public void InteractionSettings_OutOfRange_AreRefused(string setting, string value)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"Interactions:{setting}"] = value }).Build();
        // BindConfiguration reads the host's IConfiguration, as in the server and the CLI.
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddTouchpoint(configuration).BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => _ = services.GetRequiredService<IOptions<InteractionOptions>>().Value);
        Assert.Contains(setting.Split(':')[^1], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SlaTargets_NamedInAnyCase_ReplaceThatChannelsDefaultOnly()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Interactions:SlaSeconds:phone"] = "30", ["Interactions:SlaSeconds:InApp"] = "120" }).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddTouchpoint(configuration).BuildServiceProvider();
        var options = services.GetRequiredService<IOptions<InteractionOptions>>().Value;
        Assert.Equal((30, 120, 60, 86_400, (int?)null), (options.SlaFor(Channel.Phone), options.SlaFor(Channel.InApp), options.SlaFor(Channel.Chat), options.SlaFor(Channel.Email), options.SlaFor(Channel.Bot)));
    }

    [Fact]
    public void PhoneRegion_InLowerCase_IsTakenAsTheRegion()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Customers:PhoneRegion"] = "gb" }).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddTouchpoint(configuration).BuildServiceProvider();
        var region = services.GetRequiredService<IOptions<CustomerOptions>>().Value.PhoneRegion;
        Assert.Equal("+447911123456", CustomerIdentity.Normalize(IdentityKind.Phone, "07911 123456", region));
    }

    [Theory]
    [InlineData("XX")]
    [InlineData("")]
    [InlineData("United Kingdom")]
    public void PhoneRegion_NotARegion_IsRefused(string value)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Customers:PhoneRegion"] = value }).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddTouchpoint(configuration).BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => _ = services.GetRequiredService<IOptions<CustomerOptions>>().Value);
        Assert.Contains("PhoneRegion", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("+1 415-555-2671", "US", "+14155552671")]
    [InlineData("(415) 555 2671", "US", "+14155552671")]
    [InlineData("1.415.555.2671", "US", "+14155552671")]
    [InlineData("415-555-2671 ext. 12", "US", "+14155552671x12")]
    [InlineData("+44 7911 123456", "US", "+447911123456")]
    [InlineData("07911 123456", "GB", "+447911123456")]
    [InlineData("+44 (0)7911 123456", "GB", "+447911123456")]
    [InlineData("0049 30 123456", "GB", "+4930123456")]
    [InlineData("12345 6", "US", "123456")] // not a possible number anywhere: its digits
    public void PhoneNumbers_WrittenAnyWay_AreOneKey(string written, string region, string key)
    {
        Assert.Equal(key, CustomerIdentity.Normalize(IdentityKind.Phone, written, region));
    }
}
