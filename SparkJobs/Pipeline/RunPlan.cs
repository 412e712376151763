using OpsConsole.SparkJobs.Ingest;
using OpsConsole.SparkJobs.Planning;

namespace OpsConsole.SparkJobs.Pipeline;

/// <summary>What a run fetches: its window (kept in staging, so a restart plans the same one), the slices left and how many are done.</summary>
public sealed record RunPlan(RunWindow Window, IReadOnlyList<Slice> Remaining, int Done);
