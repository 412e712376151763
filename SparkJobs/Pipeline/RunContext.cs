using System.Diagnostics;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.State;
using OpsConsole.SparkJobs.Ingest;
using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Logging;
using OpsConsole.SparkJobs.Sources;
using OpsConsole.SparkJobs.Usage;

namespace OpsConsole.SparkJobs.Pipeline;

/// <summary>
/// What every step of one run shares: its settings, the stores, the source, the table, the run's staging, the
/// stream's checkpoint when the run began, the clock and the usage counters.
/// </summary>
public sealed class RunContext(IngestOptions options, JobLog log, IStateStore state, ILakeStorage storage, ISource source, LakeTable table,
    Checkpoint? checkpoint, ResourceUsage usage, TimeProvider time)
{
    public IngestOptions Options { get; } = options;

    public JobLog Log { get; } = log;

    public IStateStore State { get; } = state;

    public ILakeStorage Storage { get; } = storage;

    public ISource Source { get; } = source;

    public LakeTable Table { get; } = table;

    public Staging Staging { get; } = new(storage, options.TablePath, options.RunId);

    /// <summary>The stream's checkpoint when the run began (null: never synced).</summary>
    public Checkpoint? Checkpoint { get; } = checkpoint;

    public ResourceUsage Usage { get; } = usage;

    public TimeProvider Time { get; } = time;

    /// <summary>Since the run began.</summary>
    public Stopwatch Watch { get; } = Stopwatch.StartNew();

    /// <summary>When the run began (unix seconds).</summary>
    public long Now { get; } = time.GetUtcNow().ToUnixTimeSeconds();

    public string Stream => Options.Stream.Name;
}
