using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Options;
using OpsConsole.Shared.State.Leases;
using OpsConsole.Server.Data;

namespace OpsConsole.Server.Runners.Local;

/// <summary>
/// Runs the job as a child process in its own session and process group (<c>setsid</c>), so a cancel reaches everything
/// it started and a console restart does not take it down. A small shell wrapper sends the job's stdout and stderr to
/// <c>output.log</c> in the run's folder and writes the exit code to <c>exit-code</c> when the job ends; the console
/// tails the file, so it can re-attach to a job started by an earlier console process. The handle's id is
/// <c>{runId}:{pid}:{start ticks}</c> (the start time tells a reused pid from the job); the output position is the
/// byte offset in <c>output.log</c>.
/// </summary>
internal sealed partial class LocalJobRunner(IOptions<RunnerOptions> options, IOptions<DataOptions> data, ILogger<LocalJobRunner> logger) : IJobRunner
{
    /// <summary>
    /// Nothing to list: a local job is a child process whose handle is stored before anything waits on it, and a
    /// console that stops before that ends the run as not started (its process, if any, runs under no lease).
    /// </summary>
    public Task<IReadOnlyDictionary<string, JobHandle>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, JobHandle>>(new Dictionary<string, JobHandle>());

    public const string LocalKind = "local";
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

    public string Kind => LocalKind;

    public Task<JobHandle> StartAsync(JobSpec spec, CancellationToken cancellationToken)
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
        return Task.FromResult(new JobHandle(LocalKind, string.Create(CultureInfo.InvariantCulture, $"{spec.RunId}:{process.Id}:{started}")));
    }

    public Task<JobStatus> StatusAsync(JobHandle handle, CancellationToken cancellationToken)
    {
        var job = Parse(handle);
        if (IsAlive(job))
        {
            return Task.FromResult(JobStatus.Alive);
        }
        var path = Path.Combine(Folder(job), ExitCodeFile);
        int? code = File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var exit)
            ? exit : null;
        return Task.FromResult(new JobStatus(false, code, code is null ? "The job's process ended without an exit status: it was killed." : null));
    }

    /// <summary>
    /// A graceful stop sends SIGTERM to the job's process group and leaves the escalation to the caller's kill timer
    /// (which outlives a console restart); <see cref="TimeSpan.Zero"/> sends SIGKILL.
    /// </summary>
    public Task StopAsync(JobHandle handle, TimeSpan grace, CancellationToken cancellationToken)
    {
        var job = Parse(handle);
        if (!IsAlive(job))
        {
            return Task.CompletedTask;
        }
        // The negative id addresses the whole process group: the wrapper, the job and anything the job started.
        if (Kill(-job.Pid, grace > TimeSpan.Zero ? SigTerm : SigKill) != 0)
        {
            logger.LogWarning("Could not signal process group {Pid}: errno {Errno}", job.Pid, Marshal.GetLastPInvokeError());
        }
        return Task.CompletedTask;
    }

    public Task ReleaseAsync(JobHandle handle, CancellationToken cancellationToken)
    {
        try
        {
            File.Delete(Path.Combine(Folder(Parse(handle)), OutputFile));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("The job output of {RunId} could not be deleted: {Reason}", Parse(handle).RunId, exception.Message);
        }
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<JobOutput> FollowAsync(JobHandle handle, string position, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var process = Parse(handle);
        var offset = position.Length == 0 ? 0 : long.Parse(position, NumberStyles.None, CultureInfo.InvariantCulture);
        var path = Path.Combine(Folder(process), OutputFile);
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

    private static bool IsAlive(LocalJob job) => LinuxProcess.IsAlive(job.Pid, job.StartTicks);

    private string Folder(LocalJob job) => Path.Combine(data.Value.FullPath, "runs", job.RunId);

    private static LocalJob Parse(JobHandle handle)
    {
        var parts = handle.Id.Split(':');
        if (handle.Kind != LocalKind || parts.Length != 3 || parts[0].Length == 0
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
        {
            throw new ArgumentException($"'{handle.Kind}:{handle.Id}' is not a handle of the local runner.", nameof(handle));
        }
        return new LocalJob(parts[0], pid, ticks);
    }

    /// <summary>The job's process: its run, id and start time (so a reused id is not mistaken for it).</summary>
    private sealed record LocalJob(string RunId, int Pid, long StartTicks);

    internal static bool IsConsoleSetting(string name) =>
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
            return lines.Count == 0 ? null : new JobOutput(lines, Position);
        }

        public JobOutput? Rest() => _partial.Count == 0 ? null : new JobOutput([Take(_partial.Count)], Position);

        private string Position => _offset.ToString(CultureInfo.InvariantCulture);

        private string Take(int consumed)
        {
            var text = Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_partial)).TrimEnd('\r');
            _partial.Clear();
            _offset += consumed;
            return text;
        }
    }
}
