using Microsoft.Extensions.Options;
using OpsConsole.Server.Data;
using OpsConsole.Server.Runners;
using OpsConsole.Server.Runners.Local;

namespace OpsConsole.Server.Quality;

/// <summary>
/// Where the runs' data-quality rules live. <c>Quality:RulesPath</c> names a folder of <c>{stream}.yaml</c> files or
/// one file for every stream. Unset, the local runner's jobs read the data folder's <c>rules</c> folder, where the
/// console saves a stream's rules (a stream without a file there keeps its built-in rules). A Kubernetes job cannot
/// read this machine's folders, so there an unset path means the built-in rules and nothing the console can save;
/// a configured folder must be mounted at the same path in the console and the job pods.
/// </summary>
internal sealed class RulesLocation(IConfiguration configuration, IOptions<DataOptions> data, IOptions<RunnerOptions> runner)
{
    public const string Setting = "Quality:RulesPath";

    /// <summary>The configured path, absolute; null when unset.</summary>
    public string? Configured => configuration[Setting] is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    /// <summary>The folder a stream's rules file is saved in; null when the console cannot save one (see <see cref="WhyNotSavable"/>).</summary>
    public string? Folder => Configured is { } configured ? (File.Exists(configured) ? null : configured)
        : runner.Value.Kind == LocalJobRunner.LocalKind ? Path.Combine(data.Value.FullPath, "rules") : null;

    public string? WhyNotSavable => Folder is not null ? null
        : Configured is { } file ? $"{Setting} is one file for every stream ('{file}'): set it to a folder of {{stream}}.yaml files to save one stream's rules."
        : $"{Setting} is not set and the {runner.Value.Kind} runner's jobs cannot read this console's data folder: set it to a folder mounted at the same path in the console and the job pods.";

    /// <summary>The <c>--rules</c> the jobs get: the configured path, else the default folder once it exists; null for the built-in rules.</summary>
    public string? JobArgument => Configured ?? (Folder is { } folder && Directory.Exists(folder) ? folder : null);

    /// <summary>Why runs cannot start with these rules (a configured path that is neither a folder nor a file), or null.</summary>
    public string? Problem => Configured is { } rules && !Directory.Exists(rules) && !File.Exists(rules) ? $"{Setting} '{rules}' is neither a folder nor a file." : null;

    /// <summary>The file a stream's runs load, or null when they judge the built-in rules.</summary>
    public string? FileOf(string stream) =>
        Configured is { } configured && File.Exists(configured) ? configured
        : Folder is { } folder && File.Exists(Path.Combine(folder, $"{stream}.yaml")) ? Path.Combine(folder, $"{stream}.yaml")
        : null;
}
