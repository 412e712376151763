using OpsConsole.Shared.Runs;
using OpsConsole.Shared.Validation;
using OpsConsole.Shared.Streams;

namespace OpsConsole.Server.Runs;

/// <summary>Checks a launch request at the edge; every error names its field.</summary>
internal static class LaunchValidator
{
    public static readonly IReadOnlyList<string> Modes = ["incremental", "full"];

    public static ValidLaunch Validate(LaunchRequest request)
    {
        var source = (request.Source ?? StreamCatalog.Stripe).Trim().ToLowerInvariant();
        if (!StreamCatalog.IsSource(source))
        {
            throw new InvalidFieldException("source", $"'{InvalidFieldException.Quote(request.Source!)}' is not a configured source; the only one is '{StreamCatalog.Stripe}'.");
        }
        var stream = request.Stream?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(stream))
        {
            throw new InvalidFieldException("stream", $"is required: one of {StreamCatalog.NameList(source)}.");
        }
        if (StreamCatalog.Find(source, stream) is null)
        {
            throw new InvalidFieldException("stream", $"'{InvalidFieldException.Quote(request.Stream!)}' is not one of {StreamCatalog.NameList(source)}.");
        }
        var mode = (request.Mode ?? "incremental").Trim().ToLowerInvariant();
        if (!Modes.Contains(mode))
        {
            throw new InvalidFieldException("mode", $"'{InvalidFieldException.Quote(request.Mode!)}' is not one of incremental, full.");
        }
        var workers = request.Workers ?? 8;
        if (workers is < 1 or > 64)
        {
            throw new InvalidFieldException("workers", $"must be between 1 and 64 (got {workers}).");
        }
        var from = request.From?.ToUnixTimeSeconds();
        var to = request.To?.ToUnixTimeSeconds();
        if (from is < 0)
        {
            throw new InvalidFieldException("from", "must not be before 1970-01-01.");
        }
        if (to is < 0)
        {
            throw new InvalidFieldException("to", "must not be before 1970-01-01.");
        }
        if (from is { } start && to is { } end && end <= start)
        {
            throw new InvalidFieldException("to", "must be after 'from'.");
        }
        var capacity = request.Capacity?.Trim().ToLowerInvariant();
        if (capacity is not (null or "on-demand" or "spot"))
        {
            throw new InvalidFieldException("capacity", $"'{InvalidFieldException.Quote(request.Capacity!)}' is not one of on-demand, spot.");
        }
        var cpu = Quantity(request.Cpu, "cpu", 0.1m, 64m, "between 100m and 64 cores");
        var memory = Quantity(request.Memory, "memory", 256m * 1024 * 1024, 512m * 1024 * 1024 * 1024, "between 256Mi and 512Gi");
        var executors = request.Executors ?? 1;
        if (executors is < 1 or > 16)
        {
            throw new InvalidFieldException("executors", $"must be between 1 and 16 (got {executors}).");
        }
        var retries = request.Retries ?? 0;
        if (retries is < 0 or > RetryPolicy.MaxRetries)
        {
            throw new InvalidFieldException("retries", $"must be between 0 and {RetryPolicy.MaxRetries} (got {retries}).");
        }
        var backoff = request.RetryBackoffSeconds ?? RetryPolicy.DefaultBackoffSeconds;
        if (backoff is < 1 or > RetryPolicy.MaxBackoffSeconds)
        {
            throw new InvalidFieldException("retryBackoffSeconds", $"must be between 1 and {RetryPolicy.MaxBackoffSeconds} seconds (got {backoff}).");
        }
        return new ValidLaunch(source, stream, mode, from, to, workers, capacity, cpu, memory, executors, retries, backoff);
    }

    /// <summary>An optional Kubernetes quantity within bounds, trimmed; null when unset.</summary>
    private static string? Quantity(string? value, string field, decimal min, decimal max, string range)
    {
        if (value is null)
        {
            return null;
        }
        var trimmed = value.Trim();
        if (!Runners.Kubernetes.KubernetesJobManifest.TryQuantity(trimmed, out var quantity))
        {
            throw new InvalidFieldException(field, $"'{InvalidFieldException.Quote(value)}' is not a Kubernetes quantity (like 500m, 2, 4Gi).");
        }
        return quantity!.ToDecimal() is var amount && amount >= min && amount <= max
            ? trimmed
            : throw new InvalidFieldException(field, $"must be {range} (got {InvalidFieldException.Quote(trimmed)}).");
    }
}

/// <summary>A launch request that passed validation, normalized.</summary>
internal sealed record ValidLaunch(string Source, string Stream, string Mode, long? From, long? To, int Workers, string? Capacity = null, string? Cpu = null,
    string? Memory = null, int Executors = 1, int Retries = 0, int RetryBackoffSeconds = RetryPolicy.DefaultBackoffSeconds);
