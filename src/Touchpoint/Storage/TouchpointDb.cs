using System.Text;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Touchpoint.Customers;
using Touchpoint.Customers.Segments;
using Touchpoint.Feedback;
using Touchpoint.Interactions;
using Touchpoint.Platform;

namespace Touchpoint.Storage;

/// <summary>
/// The one database context. Each provider has a subclass only so that it can own its own
/// migrations set (<see cref="SqliteTouchpointDb"/>, <see cref="PostgresTouchpointDb"/>).
/// </summary>
public abstract class TouchpointDb(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<CustomerIdentity> CustomerIdentities => Set<CustomerIdentity>();
    public DbSet<ChannelConsent> ChannelConsents => Set<ChannelConsent>();
    public DbSet<Segment> Segments => Set<Segment>();
    public DbSet<Interaction> Interactions => Set<Interaction>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<Case> Cases => Set<Case>();
    public DbSet<Agent> Agents => Set<Agent>();
    public DbSet<FeedbackResponse> Feedback => Set<FeedbackResponse>();
    public DbSet<User> Users => Set<User>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<LoginSession> LoginSessions => Set<LoginSession>();
    public DbSet<LoginAttemptWindow> LoginAttempts => Set<LoginAttemptWindow>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public abstract DatabaseProvider Provider { get; }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        FoldCustomerNames();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        FoldCustomerNames();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>Every path that writes a customer goes through here, so search's folded name never lags the name.</summary>
    private void FoldCustomerNames()
    {
        foreach (var entry in ChangeTracker.Entries<Customer>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                entry.Entity.SearchName = CustomerNames.Fold(entry.Entity.Name);
            }
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Enums by name: readable in SQL, exports and segment rules, and stable when members are added.
        configurationBuilder.Properties<Channel>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<Direction>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<Outcome>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<MessageAuthor>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<CaseStatus>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<IdentityKind>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<FeedbackKind>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<SegmentKind>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<Role>().HaveConversion<string>().HaveMaxLength(16);
        // Every instant is UTC; SQLite hands values back without a kind, so restore it on read.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    /// <summary>
    /// Searches read these columns as ranges (prefix &lt;= value &lt; the prefix with its last character raised), which
    /// holds only when strings compare by code point. SQLite's default (BINARY) does; a PostgreSQL database mostly runs a
    /// language's collation (en_US, ICU), where "lizzy" sorts after "liz{" and the range would miss it, so these columns
    /// and their indexes use "C" there whatever the database's default.
    /// </summary>
    private void CompareByCodePoint(Microsoft.EntityFrameworkCore.Metadata.Builders.PropertyBuilder<string> property)
    {
        if (Provider == DatabaseProvider.Postgres)
        {
            property.UseCollation("C");
        }
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Customer>(e =>
        {
            e.ToTable("customers");
            e.HasIndex(c => c.ExternalId).IsUnique();
            e.HasIndex(c => c.Name);
            e.Property(c => c.SearchName).HasMaxLength(StoredLengths.CustomerName * 2);
            e.HasIndex(c => c.Plan);
            e.HasIndex(c => c.MergedIntoId);
            e.Property(c => c.ExternalId).HasMaxLength(StoredLengths.ExternalId);
            CompareByCodePoint(e.Property(c => c.ExternalId));
            e.Property(c => c.Name).HasMaxLength(StoredLengths.CustomerName);
            e.Property(c => c.Products).HasMaxLength(StoredLengths.Products);
            e.Property(c => c.PreferredChannel).HasConversion<string>().HasMaxLength(16);
            e.HasMany(c => c.Identities).WithOne().HasForeignKey(i => i.CustomerId);
            e.HasMany(c => c.Consents).WithOne().HasForeignKey(i => i.CustomerId);
            e.HasMany(c => c.Interactions).WithOne(i => i.Customer).HasForeignKey(i => i.CustomerId);
            e.HasMany(c => c.Cases).WithOne(i => i.Customer).HasForeignKey(i => i.CustomerId);
        });
        b.Entity<CustomerIdentity>(e =>
        {
            e.ToTable("customer_identities");
            e.HasIndex(i => new { i.Kind, i.Value }).IsUnique();
            e.HasIndex(i => i.CustomerId);
            e.Property(i => i.Value).HasMaxLength(StoredLengths.IdentityValue);
            CompareByCodePoint(e.Property(i => i.Value));
        });
        b.Entity<ChannelConsent>(e =>
        {
            e.ToTable("channel_consents");
            e.HasKey(c => new { c.CustomerId, c.Channel });
        });
        b.Entity<Segment>(e =>
        {
            e.ToTable("segments");
            e.HasIndex(s => s.Name).IsUnique();
            e.Property(s => s.Name).HasMaxLength(SegmentService.MaxNameLength);
            e.Property(s => s.Rule).HasMaxLength(SegmentService.MaxRuleLength);
        });
        b.Entity<Agent>(e =>
        {
            e.ToTable("agents");
            e.HasIndex(a => a.ExternalId).IsUnique();
            e.Property(a => a.ExternalId).HasMaxLength(StoredLengths.ExternalId);
        });
        b.Entity<Interaction>(e =>
        {
            e.ToTable("interactions");
            e.HasIndex(i => i.ExternalId).IsUnique();
            e.HasIndex(i => new { i.CustomerId, i.StartedAt });
            e.HasIndex(i => i.CaseId);
            e.HasIndex(i => new { i.AgentId, i.StartedAt });
            e.HasIndex(i => i.StartedAt);
            // No index for the list's other sorts (channel, handle time, queue): each index here slows every import, and
            // three for those sorts made a 1,000,000-row import 1.35 times as slow; those sorts read every matching row instead.
            e.Property(i => i.ExternalId).HasMaxLength(StoredLengths.ExternalId);
            e.Property(i => i.CaseExternalId).HasMaxLength(StoredLengths.ExternalId);
            e.Property(i => i.Reason).HasMaxLength(StoredLengths.Reason);
            e.Property(i => i.Queue).HasMaxLength(StoredLengths.Queue);
            e.HasOne(i => i.Case).WithMany(c => c.Interactions).HasForeignKey(i => i.CaseId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(i => i.Agent).WithMany().HasForeignKey(i => i.AgentId).OnDelete(DeleteBehavior.SetNull);
            e.HasMany(i => i.Messages).WithOne().HasForeignKey(m => m.InteractionId);
            e.Ignore(i => i.HandleSeconds);
        });
        b.Entity<Message>(e =>
        {
            e.ToTable("messages");
            e.HasIndex(m => new { m.InteractionId, m.Sequence }).IsUnique();
            e.HasIndex(m => m.CustomerId);
        });
        b.Entity<Case>(e =>
        {
            e.ToTable("cases");
            // Also serves every "open cases of a customer" query (a customer has tens of cases); a (customer, status)
            // index as well would cost the bulk import a third B-tree per case.
            e.HasIndex(c => new { c.CustomerId, c.ExternalId }).IsUnique();
            e.Property(c => c.ExternalId).HasMaxLength(StoredLengths.CaseExternalId);
            e.Property(c => c.FirstChannel).HasConversion<string>().HasMaxLength(16);
        });
        b.Entity<FeedbackResponse>(e =>
        {
            e.ToTable("feedback_responses");
            e.HasIndex(f => f.ExternalId).IsUnique();
            e.HasIndex(f => new { f.CustomerId, f.RespondedAt });
            e.Property(f => f.ExternalId).HasMaxLength(StoredLengths.ExternalId);
        });
        b.Entity<User>(e =>
        {
            e.ToTable("users");
            e.HasIndex(u => u.Email).IsUnique();
        });
        b.Entity<ApiKey>(e =>
        {
            e.ToTable("api_keys");
            e.HasIndex(k => k.Prefix).IsUnique();
        });
        b.Entity<LoginSession>(e =>
        {
            e.ToTable("login_sessions");
            e.HasKey(l => l.Key);
            e.Property(l => l.Key).HasMaxLength(64);
            e.HasIndex(l => l.ExpiresAt);
        });
        b.Entity<LoginAttemptWindow>(e =>
        {
            e.ToTable("login_attempts");
            e.HasKey(w => new { w.Client, w.WindowStart });
            e.Property(w => w.Client).HasMaxLength(64);
            e.HasIndex(w => w.WindowStart);
        });
        b.Entity<AuditEntry>(e =>
        {
            e.ToTable("audit_log");
            e.HasIndex(a => a.At);
        });
        b.Entity<DataProtectionKey>().ToTable("data_protection_keys");

        // snake_case columns on both providers, so hand-written bulk SQL reads the same everywhere.
        foreach (var entity in b.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
        }
    }

    internal static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    sb.Append('_');
                }
                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class SqliteTouchpointDb(DbContextOptions<SqliteTouchpointDb> options) : TouchpointDb(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgresTouchpointDb(DbContextOptions<PostgresTouchpointDb> options) : TouchpointDb(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;
}
