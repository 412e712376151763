namespace OpsConsole.Server.Metrics;

/// <summary>Renders the console's metrics for a scraper.</summary>
public interface IMetricsExposition
{
    /// <summary>The HTTP content type of what <see cref="WriteAsync"/> writes.</summary>
    string ContentType { get; }

    /// <summary>Writes a snapshot of every metric.</summary>
    Task WriteAsync(TextWriter writer, CancellationToken cancellationToken = default);
}
