using System.Globalization;
using Microsoft.Extensions.Options;
using OpsConsole.Server.Data;
using OpsConsole.Server.Quality;
using OpsConsole.Server.Runners;
using OpsConsole.Server.Sources;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Server.Runs;

/// <summary>
/// Turns a run into the job's command line (everything but secrets) and environment (the source's key). The job writes
/// the lake at <c>Lake:Uri</c> and shares the state store at <c>State:Uri</c> with the console.
/// </summary>
internal sealed class JobSpecFactory(IOptions<SourceOptions> source, IOptions<DataOptions> data, IOptions<StoreOptions> stores, EmbeddedSandbox sandbox,
    IConfiguration configuration, RulesLocation rules)
{
    /// <summary>The lake's URI (<c>Lake:Uri</c>, else the data folder's <c>lake</c>).</summary>
    public string LakeUri => stores.Value.ResolvedLakeUri(data.Value);

    /// <summary>The state store's URI (<c>State:Uri</c>, else the data folder's <c>state.db</c>).</summary>
    public string StateUri => stores.Value.ResolvedStateUri(data.Value);

    /// <summary>The source API's base URL (the embedded Sandbox unless configured).</summary>
    public Uri ApiBase => source.Value.ApiBase is { Length: > 0 } configured ? new Uri(configured)
        : sandbox.BaseAddress ?? throw new InvalidOperationException("Source:ApiBase is not set and the embedded Sandbox is not running.");

    /// <summary>The secret the job authenticates with; the log service redacts it wherever it appears.</summary>
    public string SecretKey => source.Value.SecretKey is { Length: > 0 } configured ? configured
        : EmbeddedSandbox.SandboxOptionsFrom(configuration).LiveKeyList.FirstOrDefault() ?? "";

    /// <summary>The data-quality rules the jobs run (<see cref="RulesLocation"/>); null: each stream's built-in rules.</summary>
    public string? RulesPath => rules.JobArgument;

    /// <summary>Why runs cannot be started with this configuration, or null when they can.</summary>
    public string? Problem =>
        source.Value.ApiBase is not { Length: > 0 } && sandbox.BaseAddress is null
            ? "No source is configured: the embedded Sandbox is disabled and Source:ApiBase is not set."
        : SecretKey.Length == 0 ? "No source key is configured: set Source__SecretKey in the console's environment."
        : rules.Problem;

    public JobSpec Create(RunInfo run, string folder)
    {
        List<string> arguments =
        [
            "ingest", "--source", run.Source, "--stream", run.Stream, "--run-id", run.Id, "--mode", run.Mode,
            "--api-base", ApiBase.ToString(), "--lake", LakeUri, "--state", StateUri,
            "--workers", run.Workers.ToString(CultureInfo.InvariantCulture),
        ];
        if (run.From is { } from)
        {
            arguments.AddRange(["--from", from.ToString(CultureInfo.InvariantCulture)]);
        }
        if (run.To is { } to)
        {
            arguments.AddRange(["--to", to.ToString(CultureInfo.InvariantCulture)]);
        }
        if (RulesPath is { } path)
        {
            arguments.AddRange(["--rules", path]);
        }
        List<string>? executors = null;
        if (run.Executors > 1)
        {
            var count = run.Executors.ToString(CultureInfo.InvariantCulture);
            arguments.AddRange(["--executors", count]);
            executors =
            [
                "execute", "--source", run.Source, "--stream", run.Stream, "--run-id", run.Id, "--api-base", ApiBase.ToString(), "--lake", LakeUri,
                "--state", StateUri, "--workers", run.Workers.ToString(CultureInfo.InvariantCulture), "--executors", count,
            ];
        }
        return new JobSpec(run.Id, arguments, new Dictionary<string, string> { ["STRIPE_SECRET_KEY"] = SecretKey }, folder) { Run = run, ExecutorArguments = executors };
    }
}
