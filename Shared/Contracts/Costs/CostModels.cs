namespace OpsConsole.Shared.Costs;

/// <summary>What a run used, as the job reported it (its last <c>progress</c> or its <c>summary</c>).</summary>
public sealed record RunUsage
{
    public double CpuSeconds { get; init; }

    public long PeakRssBytes { get; init; }

    /// <summary>PUT, COPY, POST and LIST requests to the lake (S3 bills LIST as a PUT-class request).</summary>
    public long LakePuts { get; init; }

    public long LakeGets { get; init; }

    public long StateWrites { get; init; }

    public long StateReads { get; init; }

    /// <summary>The table's size after the run's commit (0 when it did not commit).</summary>
    public long TableBytes { get; init; }
}

/// <summary>
/// A run's cost, the OpenCost way: compute and memory at max(requested, used) times the price (spot or on-demand, as
/// configured, with the other beside it), plus shared costs allocated to the run. Locally it is an estimate: the
/// process priced as the equivalent EKS pod.
/// </summary>
public sealed record RunCost
{
    /// <summary>Core-hours charged: max(requested cores × hours, CPU seconds used / 3600).</summary>
    public double CoreHours { get; init; }

    /// <summary>GiB-hours charged: max(requested GiB, peak GiB used) × hours.</summary>
    public double GiBHours { get; init; }

    /// <summary>Compute and memory at the configured capacity type's prices (USD).</summary>
    public double Compute { get; init; }

    public double Memory { get; init; }

    /// <summary>The EKS control plane's hours while the run ran, shared with the runs active at the same time.</summary>
    public double ControlPlane { get; init; }

    /// <summary>The table's S3 storage from the stream's previous run to the end of this one.</summary>
    public double Storage { get; init; }

    /// <summary>S3 and DynamoDB requests.</summary>
    public double Requests { get; init; }

    public double Total { get; init; }

    /// <summary>"spot" or "on-demand": the prices <see cref="Compute"/> and <see cref="Memory"/> use.</summary>
    public required string Capacity { get; init; }

    /// <summary>Compute and memory at on-demand and at spot prices, whichever is configured.</summary>
    public double OnDemandComputeAndMemory { get; init; }

    public double SpotComputeAndMemory { get; init; }

    /// <summary>The same run as an AWS Glue job: DPUs × billed hours × the DPU-hour price (at least the minimum DPUs and seconds).</summary>
    public double Glue { get; init; }

    /// <summary>The pod shape the run was priced as (requested vCPUs and GiB).</summary>
    public double PodCpu { get; init; }

    public double PodMemoryGiB { get; init; }

    /// <summary>True for the local runner: the process is priced as the EKS pod it stands for.</summary>
    public bool Estimate { get; init; }
}

/// <summary>Cost over a period: per run, per day, per stream, the month so far and its forecast, and the budget.</summary>
public sealed record CostSummary
{
    public required DateTimeOffset From { get; init; }

    public required DateTimeOffset To { get; init; }

    public double Total { get; init; }

    public required IReadOnlyList<RunCostRow> Runs { get; init; }

    /// <summary>Per UTC day; a run crossing midnight is split by the share of its time in each day.</summary>
    public required IReadOnlyList<DayCost> Days { get; init; }

    public required IReadOnlyList<StreamCost> Streams { get; init; }

    public required MonthCost Month { get; init; }
}

public sealed record RunCostRow(string RunId, string Source, string Stream, string State, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, long Records, RunCost Cost);

public sealed record DayCost(DateOnly Day, double Total, double Compute, double Shared);

public sealed record StreamCost(string Source, string Stream, int Runs, double Total, double PerThousandRecords, double Glue);

/// <summary>The current month: so far, the forecast to its end, spot savings, and the budget's state.</summary>
public sealed record MonthCost
{
    public required string Month { get; init; }

    public double ToDate { get; init; }

    /// <summary>The month so far divided by the days elapsed (at least one), times the month's days.</summary>
    public double Forecast { get; init; }

    /// <summary>On-demand minus spot price of the month's runs' compute and memory: saved on spot, or what spot would save on on-demand.</summary>
    public double SpotSavings { get; init; }

    public double? Budget { get; init; }

    /// <summary>none (no budget), ok, near (the month so far passed the alert share), forecast_over (the forecast passes the budget, from day 3), over (the month so far passed it).</summary>
    public required string BudgetState { get; init; }
}

/// <summary>Run costs and the cost summaries of the Costs page and <c>/api/costs</c>.</summary>
public interface ICostService
{
    Task<CostSummary> SummaryAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);
}
