using System.Text.Json.Serialization;

namespace OpsConsole.Shared.Jobs;

/// <summary>
/// The job contract's JSON, generated at build time: snake_case names, nulls left out, numbers also read from
/// strings (an older job wrote some that way), unknown fields skipped.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(JobLineHeader))]
[JsonSerializable(typeof(JobUsage))]
[JsonSerializable(typeof(ProgressEvent))]
[JsonSerializable(typeof(PlanEvent))]
[JsonSerializable(typeof(PlanningEvent))]
[JsonSerializable(typeof(SliceEvent))]
[JsonSerializable(typeof(QualityEvent))]
[JsonSerializable(typeof(SummaryEvent))]
public sealed partial class JobJsonContext : JsonSerializerContext;
