using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Touchpoint.Tests.Infrastructure;

/// <summary>
/// A private PostgreSQL server for the test run, started from the installed binaries on a free loopback
/// port in a temporary folder and removed afterwards. When the binaries are missing, tests that need it
/// skip with the reason, except in CI (CI=true), where they fail.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string? _dataDir;
    private string? _binDir;
    private bool _asPostgresUser;

    public string? UnavailableReason { get; private set; }
    public int Port { get; private set; }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=20;Include Error Detail=true";

    public async ValueTask InitializeAsync()
    {
        _binDir = FindBinaries();
        if (_binDir is null)
        {
            UnavailableReason = "PostgreSQL server binaries (initdb, pg_ctl) were not found; install the Debian package 'postgresql' or set TOUCHPOINT_PG_BIN.";
            return;
        }
        _asPostgresUser = Environment.UserName == "root";
        _dataDir = Path.Combine(Path.GetTempPath(), "touchpoint-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_dataDir);
        if (_asPostgresUser)
        {
            await RunAsync("chown", $"postgres {_dataDir}", asPostgres: false);
        }
        var pgdata = Path.Combine(_dataDir, "data");
        await RunAsync(Path.Combine(_binDir, "initdb"), $"-D {pgdata} -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync", _asPostgresUser);
        Port = FreePort();
        var opts = $"-p {Port} -k {_dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
        await RunAsync(Path.Combine(_binDir, "pg_ctl"), $"-D {pgdata} -l {Path.Combine(_dataDir, "log")} -w -t 60 -o \"{opts}\" start", _asPostgresUser);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataDir is null || _binDir is null)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunAsync(Path.Combine(_binDir, "pg_ctl"), $"-D {Path.Combine(_dataDir, "data")} -m immediate -w stop", _asPostgresUser);
        }
        finally
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    private static string? FindBinaries()
    {
        var fromEnv = Environment.GetEnvironmentVariable("TOUCHPOINT_PG_BIN");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(Path.Combine(fromEnv, "initdb")))
        {
            return fromEnv;
        }
        const string debian = "/usr/lib/postgresql";
        if (Directory.Exists(debian))
        {
            var newest = Directory.GetDirectories(debian)
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => File.Exists(Path.Combine(d.Dir, "bin", "initdb")))
                .OrderByDescending(d => d.Version)
                .FirstOrDefault();
            if (newest.Dir is not null)
            {
                return Path.Combine(newest.Dir, "bin");
            }
        }
        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string arguments, bool asPostgres)
    {
        var psi = asPostgres
            ? new ProcessStartInfo("runuser", $"-u postgres -- {file} {arguments}")
            : new ProcessStartInfo(file, arguments);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} exited with {process.ExitCode}: {await stdout} {await stderr}");
        }
    }
}
