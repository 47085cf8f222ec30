using Microsoft.Extensions.Options;
using Touchpoint.Interactions;
using Touchpoint.Storage;

namespace Touchpoint.Server.Interactions;

/// <summary>
/// Derives, at start and then every <see cref="InteractionOptions.PendingRepairInterval"/>, the customers an import wrote
/// without deriving and never derived itself (it failed, or its process died, before its end). Only marks older than
/// <see cref="InteractionOptions.PendingRepairAfter"/>: an import still running derives its own at its end. Every node
/// may run it at once: recomputation locks the customers it derives and is idempotent.
/// </summary>
internal sealed partial class PendingDerivationsRepair(DatabaseTarget target, IOptions<InteractionOptions> options, TimeProvider time,
    ILogger<PendingDerivationsRepair> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.PendingRepairInterval <= TimeSpan.Zero)
        {
            return;
        }
        using var timer = new PeriodicTimer(settings.PendingRepairInterval, time);
        do
        {
            try
            {
                var (customers, _) = await new InteractionDerivations(target, settings)
                    .RecomputePendingAsync(time.GetUtcNow().UtcDateTime - settings.PendingRepairAfter, stoppingToken);
                if (customers > 0)
                {
                    Repaired(logger, customers);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next round tries again; a failing repair must not take the server down.
                Failed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Derived {Customers} customers marked for deriving (an interrupted import or merge, or an upgrade that changed the rules).")]
    private static partial void Repaired(ILogger logger, int customers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deriving the customers imports left underived failed; trying again later.")]
    private static partial void Failed(ILogger logger, Exception error);
}
