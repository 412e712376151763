using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace OpsConsole.Shared.Live;

/// <summary>Turns a channel of changes into batches a view can render: a bounded number of renders, however many changes come.</summary>
public static class ChannelBatches
{
    /// <summary>
    /// Everything the channel holds, one batch at a time, no sooner than <paramref name="minInterval"/> after the
    /// previous batch (so at most 1 / <paramref name="minInterval"/> batches a second). When nothing comes for
    /// <paramref name="heartbeat"/>, an empty batch says time has passed (clocks on screen move on). Ends when the
    /// channel completes or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public static async IAsyncEnumerable<IReadOnlyList<T>> GetBatchesAsync<T>(this ChannelReader<T> reader, TimeSpan minInterval, TimeSpan heartbeat,
        TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = new List<T>();
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                wait.CancelAfter(heartbeat);
                try
                {
                    if (!await reader.WaitToReadAsync(wait.Token))
                    {
                        yield break;
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The heartbeat: nothing changed, but time passed.
                }
            }
            while (reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            yield return batch;
            try
            {
                await Task.Delay(minInterval, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }
}
