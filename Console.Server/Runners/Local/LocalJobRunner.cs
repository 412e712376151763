using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Options;
using OpsConsole.Shared.State.Leases;
using OpsConsole.Server.Runs;

namespace OpsConsole.Server.Runners.Local;

/// <summary>
/// Runs the job as a child process in its own session and process group (<c>setsid</c>), so a cancel reaches everything
/// it started and a console restart does not take it down. A small shell wrapper sends the job's stdout and stderr to
/// <c>output.log</c> in the run's folder and writes the exit code to <c>exit-code</c> when the job ends; the console
/// tails the file, so it can re-attach to a job started by an earlier console process.
/// </summary>
internal sealed partial class LocalJobRunner(IOptions<RunnerOptions> options, ILogger<LocalJobRunner> logger) : IJobRunner
{
    public const string OutputFile = "output.log";
    public const string ExitCodeFile = "exit-code";

    // TERM and INT are caught (not ignored, which the job would inherit) so the wrapper outlives the job's graceful stop
    // and records its exit code; a kill ends both, and the missing exit code says so.
    private const string Wrapper = """
        trap ':' TERM INT HUP
        exec </dev/null >>"$OPSCONSOLE_OUTPUT" 2>&1
        "$@"
        code=$?
        echo "$code" > "$OPSCONSOLE_EXIT.tmp" && mv "$OPSCONSOLE_EXIT.tmp" "$OPSCONSOLE_EXIT"
        """;

    private const int SigKill = 9;
    private const int SigTerm = 15;

    public Task<JobProcess> StartAsync(JobSpec spec, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(spec.Folder);
        var (program, prefix) = options.Value.JobCommand();
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardInput = true, WorkingDirectory = spec.Folder };
        foreach (var argument in (string[])["/bin/sh", "-c", Wrapper, "opsconsole-job", program, .. prefix, .. spec.Arguments])
        {
            start.ArgumentList.Add(argument);
        }
        // The job gets the console's environment without the console's own settings and secrets, plus its own.
        foreach (var name in start.Environment.Keys.Where(IsConsoleSetting).ToList())
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in spec.Environment)
        {
            start.Environment[name] = value;
        }
        start.Environment["OPSCONSOLE_OUTPUT"] = Path.Combine(spec.Folder, OutputFile);
        start.Environment["OPSCONSOLE_EXIT"] = Path.Combine(spec.Folder, ExitCodeFile);
        File.Delete(Path.Combine(spec.Folder, ExitCodeFile));

        using var process = Process.Start(start) ?? throw new InvalidOperationException("setsid did not start.");
        process.StandardInput.Close();
        var started = LinuxProcess.StartTicks(process.Id) ?? 0;
        logger.LogInformation("Run {RunId}: job started as process {Pid}", spec.RunId, process.Id);
        return Task.FromResult(new JobProcess(process.Id, started));
    }

    public bool IsAlive(JobProcess process) => LinuxProcess.IsAlive(process.Pid, process.StartTicks);

    public void Signal(JobProcess process, bool kill)
    {
        if (!IsAlive(process))
        {
            return;
        }
        // The negative id addresses the whole process group: the wrapper, the job and anything the job started.
        if (Kill(-process.Pid, kill ? SigKill : SigTerm) != 0)
        {
            logger.LogWarning("Could not signal process group {Pid}: errno {Errno}", process.Pid, Marshal.GetLastPInvokeError());
        }
    }

    public async IAsyncEnumerable<JobOutput> FollowAsync(string folder, JobProcess process, long offset,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, OutputFile);
        var poll = TimeSpan.FromMilliseconds(options.Value.PollMs);
        while (!File.Exists(path))
        {
            if (!IsAlive(process))
            {
                yield break;
            }
            await Task.Delay(poll, cancellationToken);
        }
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, useAsync: false);
        file.Position = Math.Min(offset, file.Length);
        var splitter = new LineSplitter(file.Position);
        var buffer = new byte[1 << 16];
        var ended = false;
        while (true)
        {
            var read = await file.ReadAsync(buffer, cancellationToken);
            if (read > 0)
            {
                if (splitter.Add(buffer.AsSpan(0, read)) is { } output)
                {
                    yield return output;
                }
                continue;
            }
            if (ended)
            {
                // The job has ended and its output is read to the end: a last line without a newline still counts.
                if (splitter.Rest() is { } rest)
                {
                    yield return rest;
                }
                yield break;
            }
            // Checked before the next read, so nothing the job wrote before it ended can be missed.
            ended = !IsAlive(process);
            if (!ended)
            {
                await Task.Delay(poll, cancellationToken);
            }
        }
    }

    public int? ExitCode(string folder)
    {
        var path = Path.Combine(folder, ExitCodeFile);
        return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code)
            ? code : null;
    }

    private static bool IsConsoleSetting(string name) =>
        name.StartsWith("OPSCONSOLE_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Source__", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("Runner__", StringComparison.OrdinalIgnoreCase) || name.StartsWith("STRIPE_", StringComparison.OrdinalIgnoreCase);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Cuts bytes into complete UTF-8 lines, keeping a partial last line for the next read.</summary>
    private sealed class LineSplitter(long offset)
    {
        private const int MaxLine = 1 << 20;
        private readonly List<byte> _partial = [];
        private long _offset = offset;

        public JobOutput? Add(ReadOnlySpan<byte> bytes)
        {
            var lines = new List<string>();
            while (bytes.Length > 0)
            {
                var newline = bytes.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    _partial.AddRange(bytes);
                    if (_partial.Count >= MaxLine)
                    {
                        // A line this long is cut rather than held without bound.
                        lines.Add(Take(_partial.Count));
                    }
                    break;
                }
                _partial.AddRange(bytes[..newline]);
                lines.Add(Take(_partial.Count + 1));
                bytes = bytes[(newline + 1)..];
            }
            return lines.Count == 0 ? null : new JobOutput(lines, _offset);
        }

        public JobOutput? Rest() => _partial.Count == 0 ? null : new JobOutput([Take(_partial.Count)], _offset);

        private string Take(int consumed)
        {
            var text = Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_partial)).TrimEnd('\r');
            _partial.Clear();
            _offset += consumed;
            return text;
        }
    }
}
