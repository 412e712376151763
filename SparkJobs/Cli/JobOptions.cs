using System.CommandLine;
using OpsConsole.Shared.Streams;

namespace OpsConsole.SparkJobs.Cli;

/// <summary>Every option of the job's commands, made once; each command takes the ones it needs.</summary>
internal sealed class JobOptions
{
    public Option<string> Stream { get; } = new("--stream") { Description = "charges, customers or refunds", Required = true };

    public Option<string> Source { get; } = new("--source") { Description = "the source system", DefaultValueFactory = _ => StreamCatalog.Stripe };

    public Option<string> ApiBase { get; } = new("--api-base") { Description = "the source API's base URL", DefaultValueFactory = _ => "https://api.stripe.com" };

    public Option<string> Lake { get; } = new("--lake") { Description = "the lake: file:PATH or a folder, or s3://BUCKET/PREFIX?region=R&commitTable=T", Required = true };

    public Option<string> State { get; } = new("--state") { Description = "the state store: sqlite:PATH or a SQLite file, or dynamodb://TABLE?region=R", Required = true };

    public Option<string> RunId { get; } = new("--run-id") { Description = "this run's id: letters, digits, '.', '_', '-'", Required = true };

    public Option<string?> From { get; } = new("--from") { Description = "window start: unix seconds or an ISO 8601 UTC time (default: the checkpoint minus the lookback)" };

    public Option<string?> To { get; } = new("--to") { Description = "window end, exclusive (default: now minus the safety lag)" };

    public Option<string> Mode { get; } = new("--mode") { Description = "incremental or full", DefaultValueFactory = _ => "incremental" };

    public Option<int> Workers { get; } = new("--workers") { Description = "slices fetched in parallel (1..64)", DefaultValueFactory = _ => 8 };

    public Option<long> Lookback { get; } = new("--lookback-seconds") { Description = "re-read this much before the checkpoint", DefaultValueFactory = _ => StreamCatalog.LookbackSeconds };

    public Option<long> SafetyLag { get; } = new("--safety-lag-seconds") { Description = "stop this far behind now", DefaultValueFactory = _ => StreamCatalog.SafetyLagSeconds };

    public Option<long> SliceSeconds { get; } = new("--slice-seconds") { Description = "slice length (at least 60)", DefaultValueFactory = _ => 86_400 };

    public Option<int> MaxSlicePages { get; } = new("--max-slice-pages") { Description = "a slice estimated to need more pages than this is cut into smaller ones (2..10000)", DefaultValueFactory = _ => 40 };

    public Option<int> RequestTimeout { get; } = new("--request-timeout-seconds") { Description = "abandon and retry a request after this long (1..600)", DefaultValueFactory = _ => 30 };

    public Option<double> Rate { get; } = new("--requests-per-second") { Description = "request rate for all workers (0: the source's limit for the key)" };

    public Option<int> Executors { get; } = new("--executors")
    {
        Description = "ingest: more than 1 queues the slices for that many executors (execute) and waits for them; execute: how many share the rate limit (1..64)",
        DefaultValueFactory = _ => 1,
    };

    public Option<int?> Executor { get; } = new("--executor") { Description = "this executor's index (default: JOB_COMPLETION_INDEX, as a Kubernetes Indexed Job sets it)" };

    public Option<int> SliceLease { get; } = new("--slice-lease-seconds") { Description = "how long an executor holds a slice without renewing before another may take it over (5..600)", DefaultValueFactory = _ => 30 };

    public Option<string?> Rules { get; } = new("--rules") { Description = "data-quality rules: a YAML file, a folder holding {stream}.yaml, or 'none' (default: the built-in rules of the stream)" };

    public Option<bool> Markdown { get; } = new("--markdown") { Description = "print the catalog as the README's Markdown reference" };

    public Option<string?> Check { get; } = new("--check") { Description = "check a rules file (or folder) for --stream and print its rules, instead of the catalog" };

    public Option<string?> RuleStream { get; } = new("--stream") { Description = "the stream a checked rules file is for" };

    public Option<string?> Partition { get; } = new("--partition") { Description = "compact only this dt partition (yyyy-MM-dd; default: every partition)" };

    public Option<int> TargetMib { get; } = new("--target-mib") { Description = "the size of a compacted file in MiB; smaller files are compacted (1..1024)", DefaultValueFactory = _ => 32 };

    public Option<double> RetainHours { get; } = new("--retain-hours") { Description = "keep what a snapshot of the last H hours reads (at least 1)", DefaultValueFactory = _ => 168 };

    public Option<double> LogRetainHours { get; } = new("--retain-hours") { Description = "keep the commits of the last H hours and the checkpoint they start from (at least 1)", DefaultValueFactory = _ => 720 };

    public Option<bool> Apply { get; } = new("--apply") { Description = "delete (without it, only list what would be deleted)" };
}
