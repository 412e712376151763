using OpsConsole.Shared.Costs;

namespace OpsConsole.Server.Costs;

/// <summary>
/// The cost arithmetic, after OpenCost's allocation: a workload pays for max(requested, used) of CPU and memory at
/// the node's per-core-hour and per-GiB-hour prices; costs no workload asked for (the control plane, storage,
/// requests) are shared out. Everything here is a pure function of its inputs, so each case can be computed by hand.
/// </summary>
public static class CostModel
{
    private const double GiB = 1024.0 * 1024 * 1024;
    private const double HoursPerMonth = 730;

    /// <summary>The run's time: when it started and ended (a run that never started costs nothing).</summary>
    public sealed record Span(DateTimeOffset Start, DateTimeOffset End)
    {
        public double Hours => Math.Max(0, (End - Start).TotalHours);
    }

    /// <param name="run">When the run ran.</param>
    /// <param name="usage">What it used (zero when the job reported nothing: it pays for what it requested).</param>
    /// <param name="prices">The price table and the pod shape.</param>
    /// <param name="others">Other runs' spans (any that overlap share the control plane with this one).</param>
    /// <param name="previousRunEnd">When the stream's previous run ended: this run pays the table's storage since then.</param>
    /// <param name="estimate">True when the run is a local process priced as the EKS pod it stands for.</param>
    public static RunCost ForRun(Span run, RunUsage usage, CostOptions prices, IEnumerable<Span> others, DateTimeOffset? previousRunEnd, bool estimate)
    {
        var hours = run.Hours;
        var coreHours = Math.Max(prices.PodCpu * hours, usage.CpuSeconds / 3600);
        var gibHours = Math.Max(prices.PodMemoryGiB, usage.PeakRssBytes / GiB) * hours;
        var onDemandCompute = coreHours * prices.CpuPerCoreHour;
        var onDemandMemory = gibHours * prices.MemoryPerGiBHour;
        var spotCompute = coreHours * prices.SpotCpuPerCoreHour;
        var spotMemory = gibHours * prices.SpotMemoryPerGiBHour;
        var spot = prices.Capacity == "spot";
        var compute = spot ? spotCompute : onDemandCompute;
        var memory = spot ? spotMemory : onDemandMemory;

        var controlPlane = prices.ControlPlanePerHour * SharedHours(run, others);
        // The table is stored from the previous run's end (or this run's start) to this run's end, at most a month.
        var storedSince = previousRunEnd is { } previous && previous < run.End ? previous : run.Start;
        var storageHours = Math.Min((run.End - storedSince).TotalHours, HoursPerMonth);
        var storage = usage.TableBytes / GiB * prices.StoragePerGiBMonth * storageHours / HoursPerMonth;
        var requests = (usage.LakePuts / 1000.0 * prices.S3PutPerThousand) + (usage.LakeGets / 1000.0 * prices.S3GetPerThousand)
                       + (usage.StateWrites / 1_000_000.0 * prices.DynamoWritePerMillion) + (usage.StateReads / 1_000_000.0 * prices.DynamoReadPerMillion);

        // Glue bills DPUs per second with a minimum duration and a minimum number of DPUs.
        var dpus = Math.Max(prices.GlueMinimumDpus, Math.Ceiling(prices.PodCpu / prices.GlueCoresPerDpu));
        var glue = hours > 0 ? dpus * Math.Max(hours * 3600, prices.GlueMinimumSeconds) / 3600 * prices.GlueDpuHour : 0;

        return new RunCost
        {
            CoreHours = coreHours, GiBHours = gibHours, Compute = compute, Memory = memory, ControlPlane = controlPlane, Storage = storage,
            Requests = requests, Total = compute + memory + controlPlane + storage + requests, Capacity = prices.Capacity,
            OnDemandComputeAndMemory = onDemandCompute + onDemandMemory, SpotComputeAndMemory = spotCompute + spotMemory, Glue = glue, Estimate = estimate,
            PodCpu = prices.PodCpu, PodMemoryGiB = prices.PodMemoryGiB,
        };
    }

    /// <summary>
    /// The run's share of the hours it was active: each stretch of time counts 1/n for the n runs active in it (this
    /// one included), so the control plane's hours while runs overlap are paid once, not n times.
    /// </summary>
    public static double SharedHours(Span run, IEnumerable<Span> others)
    {
        var overlapping = others.Where(o => o.Start < run.End && o.End > run.Start).ToList();
        var cuts = overlapping.SelectMany(o => new[] { o.Start, o.End }).Where(t => t > run.Start && t < run.End)
            .Append(run.Start).Append(run.End).Distinct().Order().ToList();
        double hours = 0;
        for (var i = 0; i + 1 < cuts.Count; i++)
        {
            var (from, to) = (cuts[i], cuts[i + 1]);
            var active = 1 + overlapping.Count(o => o.Start <= from && o.End >= to);
            hours += (to - from).TotalHours / active;
        }
        return hours;
    }

    /// <summary>A run's cost per UTC day, split by the share of the run's time in each day (a run crossing midnight pays into both).</summary>
    public static IReadOnlyList<DayCost> ByDay(Span run, RunCost cost)
    {
        var compute = cost.Compute + cost.Memory;
        var shared = cost.Total - compute;
        if (run.End <= run.Start)
        {
            return [new DayCost(DateOnly.FromDateTime(run.Start.UtcDateTime), cost.Total, compute, shared)];
        }
        var days = new List<DayCost>();
        var total = (run.End - run.Start).TotalSeconds;
        for (var day = run.Start.UtcDateTime.Date; day < run.End.UtcDateTime; day = day.AddDays(1))
        {
            var from = Max(run.Start, new DateTimeOffset(day, TimeSpan.Zero));
            var to = Min(run.End, new DateTimeOffset(day.AddDays(1), TimeSpan.Zero));
            var share = (to - from).TotalSeconds / total;
            days.Add(new DayCost(DateOnly.FromDateTime(day), cost.Total * share, compute * share, shared * share));
        }
        return days;
    }

    /// <summary>
    /// The month's forecast: the cost so far plus the average day so far (counted to the second) for the time left.
    /// </summary>
    public static double Forecast(double toDate, DateTimeOffset now)
    {
        var start = MonthStart(now);
        var elapsed = Math.Max((now - start).TotalDays, 1);
        return toDate / elapsed * (start.AddMonths(1) - start).TotalDays;
    }

    /// <summary>The forecast says little in a month's first days (one run can be most of it): it alerts from day 3 on.</summary>
    public static bool ForecastSettled(DateTimeOffset now) => (now - MonthStart(now)).TotalDays >= 3;

    /// <summary>Midnight UTC on the first day of <paramref name="now"/>'s month.</summary>
    public static DateTimeOffset MonthStart(DateTimeOffset now) => new(now.UtcDateTime.Year, now.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The budget's state: over (the month so far passed it), forecast_over (the settled forecast passes it), near
    /// (the month so far passed the alert share), ok; none without a budget.
    /// </summary>
    public static string BudgetState(double toDate, double forecast, bool forecastSettled, double? budget, double alertFraction) => budget switch
    {
        null => "none",
        { } b when toDate >= b => "over",
        { } b when forecastSettled && forecast >= b => "forecast_over",
        { } b when toDate >= b * alertFraction => "near",
        _ => "ok",
    };

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
