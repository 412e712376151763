using OpsConsole.Shared.Jobs;

namespace OpsConsole.SparkJobs;

/// <summary>The job's command line. This version has no ingestion commands yet: every invocation is refused with exit code 2.</summary>
public static class JobCommand
{
    public const string Usage = """
        usage: OpsConsole.SparkJobs <command> [options]

        The ingestion job of OpsConsole. This version has no commands yet:
        ingest, plan and verify are not available.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args is ["--help"] or ["-h"])
        {
            await output.WriteLineAsync(Usage);
            return JobExitCodes.Ok;
        }

        await error.WriteLineAsync(args.Length == 0 ? "error: no command given." : $"error: unknown command '{args[0]}'.");
        await error.WriteLineAsync(Usage);
        return JobExitCodes.InvalidArguments;
    }
}
