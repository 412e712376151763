using System.Text.Json;

namespace OpsConsole.SparkJobs.Sources;

/// <summary>
/// One stream of a source API, as the pipeline reads it: pages of records by creation time, the records changed
/// since a time, and one record by id. A new source (Square, Shopify) is a folder beside <c>Stripe/</c> with a class
/// implementing this.
/// </summary>
public interface ISource : IDisposable
{
    /// <summary>Requests, pages, records, bytes, 429s and retries so far.</summary>
    SourceStats Stats { get; }

    /// <summary>
    /// The records created in [<paramref name="createdFrom"/>, <paramref name="createdTo"/>) (an open end when null),
    /// newest first, a page at a time of at most <paramref name="limit"/> records. The caller disposes each page.
    /// </summary>
    IAsyncEnumerable<SourcePage> ListAsync(long? createdFrom, long? createdTo, CancellationToken cancellationToken, int limit = 100);

    /// <summary>
    /// Whether any record was created before <paramref name="time"/>: one request, counted as a request but not as a
    /// page of records (planning asks it to find the oldest record; records count only what the run fetches).
    /// </summary>
    Task<bool> AnyCreatedBeforeAsync(long time, CancellationToken cancellationToken);

    /// <summary>
    /// The ids of records created before <paramref name="createdBefore"/> that changed since <paramref name="since"/>
    /// (a refund, an update): the run fetches them again so the table holds their latest version.
    /// </summary>
    Task<IReadOnlyCollection<string>> ChangedSinceAsync(long since, long createdBefore, CancellationToken cancellationToken);

    /// <summary>The record's current version, or null when the source no longer has it.</summary>
    Task<JsonElement?> RetrieveAsync(string id, CancellationToken cancellationToken);
}
