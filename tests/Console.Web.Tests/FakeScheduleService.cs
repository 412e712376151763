using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Schedules;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Web.Tests;

/// <summary>
/// Schedules in memory: one to start with, creates and changes kept, and a preview that knows two expressions (02:00
/// daily and every 15 minutes) and refuses an hour of 25 as the real service does.
/// </summary>
internal sealed class FakeScheduleService : IScheduleService
{
    private readonly List<ScheduleInfo> _schedules =
    [
        new()
        {
            Name = "charges-nightly", Source = "stripe", Stream = "charges", Cron = "30 2 * * *", TimeZone = "Europe/Berlin", Enabled = true, Overlap = OverlapPolicies.Queue,
            CatchUp = CatchUpPolicies.Latest, CatchUpLimit = 10, JitterSeconds = 60, Mode = "incremental", CreatedBy = "operator",
            CreatedAt = FakeRunService.Now.AddDays(-3), UpdatedBy = "operator", UpdatedAt = FakeRunService.Now.AddDays(-3),
            NextFireAt = new DateTimeOffset(2026, 11, 27, 1, 30, 0, TimeSpan.Zero),
            LastFire = new()
            {
                Schedule = "charges-nightly", FireAt = new DateTimeOffset(2026, 11, 26, 1, 30, 0, TimeSpan.Zero), DueAt = new DateTimeOffset(2026, 11, 26, 1, 30, 42, TimeSpan.Zero),
                Outcome = FireOutcomes.Launched, RunId = "run-20261126-013042-abc123", UpdatedAt = FakeRunService.Now.AddHours(-10),
            },
        },
    ];

    public List<(string Action, string Name, string By)> Changes { get; } = [];

    public Task<IReadOnlyList<ScheduleInfo>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<ScheduleInfo>>([.. _schedules]);

    public Task<ScheduleInfo?> GetAsync(string name, CancellationToken cancellationToken = default) => Task.FromResult(_schedules.FirstOrDefault(s => s.Name == name));

    public Task<IReadOnlyList<ScheduleFire>> FiresAsync(string name, int limit = 50, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ScheduleFire>>(_schedules.FirstOrDefault(s => s.Name == name)?.LastFire is { } last
            ? [last, last with { FireAt = last.FireAt.AddDays(-1), DueAt = last.DueAt.AddDays(-1), Outcome = FireOutcomes.Skipped, RunId = null, Detail = "the stream was busy with run run-x" }]
            : []);

    public IReadOnlyList<DateTimeOffset> Preview(string? cron, string? timeZone, int count = 5)
    {
        if (timeZone is not ("UTC" or "Europe/Berlin" or "America/New_York"))
        {
            throw new InvalidFieldException("timeZone", $"'{timeZone}' is not an IANA time zone (like UTC, Europe/Berlin, America/New_York).");
        }
        var first = FakeRunService.Now.Date;
        return cron switch
        {
            "0 2 * * *" => [.. Enumerable.Range(1, count).Select(day => new DateTimeOffset(first.AddDays(day).AddHours(2), TimeSpan.Zero))],
            "*/15 * * * *" => [.. Enumerable.Range(1, count).Select(quarter => new DateTimeOffset(first.AddMinutes(15 * quarter), TimeSpan.Zero))],
            _ => throw new InvalidFieldException("cron", $"field 2 (hour) at position 3: '{cron?.Split(' ').ElementAtOrDefault(1)}' is not valid there (0-23, lists, ranges and steps)."),
        };
    }

    public Task<ScheduleInfo> CreateAsync(ScheduleRequest request, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        Preview(request.Cron, request.TimeZone);
        if (_schedules.Any(s => s.Name == request.Name))
        {
            throw new ScheduleExistsException(request.Name!);
        }
        var created = new ScheduleInfo
        {
            Name = request.Name!, Source = "stripe", Stream = request.Stream!, Cron = request.Cron!, TimeZone = request.TimeZone!, Enabled = request.Enabled ?? true,
            Overlap = request.Overlap!, CatchUp = request.CatchUp!, CatchUpLimit = request.CatchUpLimit ?? 10, JitterSeconds = request.JitterSeconds ?? 0, Mode = request.Mode!,
            Workers = request.Workers, CreatedBy = caller.Name, CreatedAt = FakeRunService.Now, UpdatedBy = caller.Name, UpdatedAt = FakeRunService.Now,
            NextFireAt = Preview(request.Cron, request.TimeZone, 1)[0], Retries = request.Retries ?? 0, RetryBackoffSeconds = request.RetryBackoffSeconds ?? 60,
        };
        _schedules.Add(created);
        Changes.Add(("create", created.Name, caller.Name));
        return Task.FromResult(created);
    }

    public Task<ScheduleInfo> UpdateAsync(string name, ScheduleRequest request, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        Preview(request.Cron, request.TimeZone);
        var index = _schedules.FindIndex(s => s.Name == name);
        _schedules[index] = _schedules[index] with { Cron = request.Cron!, TimeZone = request.TimeZone!, Overlap = request.Overlap!, UpdatedBy = caller.Name };
        Changes.Add(("update", name, caller.Name));
        return Task.FromResult(_schedules[index]);
    }

    public Task<ScheduleInfo> SetEnabledAsync(string name, bool enabled, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        var index = _schedules.FindIndex(s => s.Name == name);
        _schedules[index] = _schedules[index] with { Enabled = enabled, NextFireAt = enabled ? _schedules[index].NextFireAt ?? FakeRunService.Now.AddHours(1) : null };
        Changes.Add((enabled ? "resume" : "pause", name, caller.Name));
        return Task.FromResult(_schedules[index]);
    }

    public Task DeleteAsync(string name, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        _schedules.RemoveAll(s => s.Name == name);
        Changes.Add(("delete", name, caller.Name));
        return Task.CompletedTask;
    }
}

/// <summary>Backfills in memory: one half done to start with; creates and changes kept.</summary>
internal sealed class FakeBackfillService : IBackfillService
{
    private readonly List<BackfillInfo> _backfills =
    [
        new()
        {
            Id = "bf-20261126-090000-aa11bb", Source = "stripe", Stream = "refunds", From = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero),
            To = new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero), Step = "day", State = BackfillStates.Running, CreatedBy = "operator",
            CreatedAt = FakeRunService.Now.AddHours(-1), UpdatedAt = FakeRunService.Now.AddHours(-1),
            Pieces =
            [
                new(0, new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero), "run-20261126-090000-p00001", "Succeeded"),
                new(1, new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero), "run-20261126-090100-p00002", "Succeeded"),
                new(2, new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero), "run-20261126-090200-p00003", "Running"),
                new(3, new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero), null, null),
            ],
        },
    ];

    public List<(string Action, string Id, string By)> Changes { get; } = [];

    public Task<IReadOnlyList<BackfillInfo>> ListAsync(int limit = 50, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<BackfillInfo>>([.. _backfills]);

    public Task<BackfillInfo?> GetAsync(string id, CancellationToken cancellationToken = default) => Task.FromResult(_backfills.FirstOrDefault(b => b.Id == id));

    public Task<BackfillInfo> CreateAsync(BackfillRequest request, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        if (request.To > FakeRunService.Now)
        {
            throw new InvalidFieldException("to", "must not be in the future: a backfill fetches a past window.");
        }
        var days = (int)(request.To!.Value - request.From!.Value).TotalDays;
        var created = new BackfillInfo
        {
            Id = "bf-new", Source = "stripe", Stream = request.Stream!, From = request.From.Value, To = request.To.Value, Step = request.Step!, State = BackfillStates.Running,
            CreatedBy = caller.Name, CreatedAt = FakeRunService.Now, UpdatedAt = FakeRunService.Now,
            Pieces = [.. Enumerable.Range(0, days).Select(day => new BackfillPiece(day, request.From.Value.AddDays(day), request.From.Value.AddDays(day + 1), null, null))],
        };
        _backfills.Insert(0, created);
        Changes.Add(("create", created.Id, caller.Name));
        return Task.FromResult(created);
    }

    public Task<BackfillInfo> ChangeAsync(string id, string action, CallerInfo caller, CancellationToken cancellationToken = default)
    {
        var index = _backfills.FindIndex(b => b.Id == id);
        _backfills[index] = _backfills[index] with
        {
            State = action switch { BackfillActions.Pause => BackfillStates.Paused, BackfillActions.Cancel => BackfillStates.Cancelled, _ => BackfillStates.Running },
        };
        Changes.Add((action, id, caller.Name));
        return Task.FromResult(_backfills[index]);
    }
}
