using OpsConsole.Shared.Lake;
using OpsConsole.SparkJobs.Sources.Stripe;

namespace OpsConsole.SparkJobs.Ingest;

/// <summary>Incremental from the checkpoint, or everything the source has.</summary>
public enum IngestMode
{
    Incremental,
    Full,
}

/// <summary>One ingestion run's settings (validated by the command line before a run starts).</summary>
public sealed record IngestOptions
{
    public string Source { get; init; } = Shared.Streams.StreamCatalog.Stripe;

    public required StripeStream Stream { get; init; }

    public required Uri ApiBase { get; init; }

    public required StripeCredentials Credentials { get; init; }

    /// <summary>The lake's folder.</summary>
    public required string Lake { get; init; }

    /// <summary>The state store's SQLite file (checkpoints, leases, slice progress).</summary>
    public required string State { get; init; }

    public required string RunId { get; init; }

    /// <summary>An explicit window start (unix seconds); otherwise the checkpoint minus the lookback.</summary>
    public long? From { get; init; }

    /// <summary>An explicit window end (unix seconds, exclusive); otherwise now minus the safety lag.</summary>
    public long? To { get; init; }

    public IngestMode Mode { get; init; } = IngestMode.Incremental;

    public int Workers { get; init; } = 8;

    /// <summary>How far before the checkpoint an incremental run starts again (records appear late at window edges).</summary>
    public long LookbackSeconds { get; init; } = Shared.Streams.StreamCatalog.LookbackSeconds;

    /// <summary>How far behind now a run stops, so records still becoming visible are left for the next run.</summary>
    public long SafetyLagSeconds { get; init; } = Shared.Streams.StreamCatalog.SafetyLagSeconds;

    public long SliceSeconds { get; init; } = 86_400;

    /// <summary>A slice estimated (from its first page) to need more pages than this is cut into smaller slices, so no single worker is left paginating a busy day alone.</summary>
    public int MaxSlicePages { get; init; } = 40;

    /// <summary>How long one request may take before it is abandoned and retried.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>0: Stripe's limit for the credentials.</summary>
    public double RequestsPerSecond { get; init; }

    /// <summary>
    /// More than 1: the slices are fetched by that many executors in other processes (pods), which take them from the
    /// run's slice queue in the state store; this process plans, waits, then merges and commits.
    /// </summary>
    public int Executors { get; init; } = 1;

    /// <summary>How long an executor holds a slice without renewing before another may take it over.</summary>
    public TimeSpan SliceLease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the driver waits with no slice finished and none held before it gives the executors up.</summary>
    public TimeSpan ExecutorWait { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The stream's data-quality rules; null runs none (the run metrics are still measured and reported).</summary>
    public Quality.QualityConfig? Rules { get; init; }

    public string TablePath => LakePaths.Table(Source, Stream.Name);

    /// <summary>Where a run's data-quality report is kept in the lake, next to the table.</summary>
    public string ReportPath => LakePaths.QualityReport(Source, Stream.Name, RunId);
}
