using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;
using OpsConsole.Shared.State;

namespace OpsConsole.Server.Schedules;

/// <summary>The scheduler's settings (<c>Schedules</c> section).</summary>
public sealed class ScheduleOptions
{
    public const string Section = "Schedules";

    /// <summary>Whether this console may be the scheduler (false: it only shows and edits schedules).</summary>
    public bool Scheduler { get; set; } = true;

    /// <summary>
    /// The scheduler's leader lease in the state store: a console that stops without releasing it (a crash) hands
    /// the schedules over to another within this time.
    /// </summary>
    public double LeaseSeconds { get; set; } = 30;

    /// <summary>How often the scheduler looks for due fire times.</summary>
    public double TickSeconds { get; set; } = 1;
}

internal sealed class ScheduleOptionsValidator : IValidateOptions<ScheduleOptions>
{
    public ValidateOptionsResult Validate(string? name, ScheduleOptions options)
    {
        var errors = new OptionsErrors(ScheduleOptions.Section);
        errors.Range(options.LeaseSeconds, nameof(ScheduleOptions.LeaseSeconds), 2, 600);
        errors.Range(options.TickSeconds, nameof(ScheduleOptions.TickSeconds), 0.1, 60);
        errors.Require(options.TickSeconds * 2 <= options.LeaseSeconds, nameof(ScheduleOptions.TickSeconds),
            $"must be at most half of LeaseSeconds ({options.LeaseSeconds}) so the leader renews its lease in time (got {options.TickSeconds}).");
        return errors.ToResult();
    }
}

/// <summary>
/// Which console is the scheduler: the holder of a lease in the state store the consoles share (the same conditional
/// writes as a stream's lease). The holder renews it at a third of its length; another console takes it once it ran out.
/// </summary>
internal sealed class SchedulerLeader(IStateStore state, TimeProvider time, IOptions<ScheduleOptions> options, ILogger<SchedulerLeader> logger)
{
    /// <summary>The lease's key in the state store; no source is named so.</summary>
    public const string Source = "_console", Stream = "scheduler";

    private DateTimeOffset? _renewedAt;

    public string Holder { get; } = $"scheduler@{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    public bool IsLeader => _renewedAt is not null;

    private TimeSpan Lease => TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    /// <summary>Whether this console is the scheduler now: renews the lease it holds, or takes it when it is free.</summary>
    public async Task<bool> HoldAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_renewedAt is { } renewed)
        {
            if (now - renewed < Lease / 3)
            {
                return true;
            }
            if (await state.RenewLeaseAsync(Source, Stream, Holder, Lease, cancellationToken))
            {
                _renewedAt = now;
                return true;
            }
            _renewedAt = null;
            logger.LogWarning("This console is no longer the scheduler: its lease ran out and another console took it");
        }
        try
        {
            await state.AcquireLeaseAsync(Source, Stream, Holder, Lease, cancellationToken);
            _renewedAt = now;
            logger.LogInformation("This console is the scheduler ({Holder})", Holder);
            return true;
        }
        catch (StreamLeaseHeldException)
        {
            return false;
        }
    }

    /// <summary>Gives the lease up (a console stopping), so another console takes over at once.</summary>
    public async Task ReleaseAsync()
    {
        if (_renewedAt is not null)
        {
            _renewedAt = null;
            await state.ReleaseLeaseAsync(Source, Stream, Holder, CancellationToken.None);
            logger.LogInformation("This console gave up the scheduler's lease");
        }
    }
}

/// <summary>Runs the <see cref="Scheduler"/> and the <see cref="Backfiller"/> every tick while this console holds the scheduler's lease.</summary>
internal sealed class SchedulerHost(Scheduler scheduler, Backfiller backfiller, SchedulerLeader leader, TimeProvider time, IOptions<ScheduleOptions> options, ILogger<SchedulerHost> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Scheduler)
        {
            logger.LogInformation("The scheduler is off on this console (Schedules:Scheduler = false)");
            return;
        }
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (await leader.HoldAsync(stoppingToken))
                    {
                        await scheduler.TickAsync(stoppingToken);
                        await backfiller.TickAsync(stoppingToken);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogError(exception, "The scheduler's pass failed; it tries again next tick");
                }
                await Task.Delay(TimeSpan.FromSeconds(options.Value.TickSeconds), time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            try
            {
                await leader.ReleaseAsync();
            }
            catch (Exception exception)
            {
                logger.LogWarning("The scheduler's lease was not released ({Error}); another console takes over when it runs out", exception.Message);
            }
        }
    }
}
