using System.Runtime.CompilerServices;
using System.Text.Json;

namespace OpsConsole.SparkJobs.Sources.Stripe;

/// <summary>A Stripe stream (charges, customers, refunds) as an <see cref="ISource"/>: lists, the events API for changes, retrieve by id.</summary>
public sealed class StripeSource(StripeClient client, StripeStream stream) : ISource
{
    public SourceStats Stats => client.Stats;

    public StripeStream Stream { get; } = stream;

    public async IAsyncEnumerable<SourcePage> ListAsync(long? createdFrom, long? createdTo, [EnumeratorCancellation] CancellationToken cancellationToken,
        int limit = 100)
    {
        await foreach (var page in client.ListAsync(Stream, createdFrom, createdTo, cancellationToken, limit: limit))
        {
            yield return page;
        }
    }

    /// <summary>Stripe keeps 30 days of events: changes older than that cannot be seen (a full refresh picks them up).</summary>
    public Task<bool> AnyCreatedBeforeAsync(long time, CancellationToken cancellationToken) => client.AnyCreatedBeforeAsync(Stream, time, cancellationToken);

    public async Task<IReadOnlyCollection<string>> ChangedSinceAsync(long since, long createdBefore, CancellationToken cancellationToken)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        if (Stream.ChangeEvents.Count == 0)
        {
            return changed;
        }
        await foreach (var page in client.ListAsync(StripeStream.Events, since, null, cancellationToken, Stream.ChangeEvents))
        {
            using (page)
            {
                foreach (var e in page.Data.EnumerateArray())
                {
                    var changedObject = e.GetProperty("data").GetProperty("object");
                    if (changedObject.GetProperty("created").GetInt64() < createdBefore && changedObject.GetProperty("id").GetString() is { } id)
                    {
                        changed.Add(id);
                    }
                }
            }
        }
        return changed;
    }

    public async Task<JsonElement?> RetrieveAsync(string id, CancellationToken cancellationToken)
    {
        using var document = await client.RetrieveAsync(Stream, id, cancellationToken);
        return document?.RootElement.Clone();
    }

    public void Dispose() => client.Dispose();
}
