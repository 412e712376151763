using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.SparkJobs.Planning;

namespace OpsConsole.SparkJobs.Ingest;

/// <summary>
/// Raw pages as the source sent them, one object per line, gzip, under <c>{table}/_staging/{run}/</c> with names
/// fixed by (run, slice, page): a retried page overwrites its file, never adds one.
/// </summary>
public sealed class Staging(ILakeStorage storage, string tablePath, string runId)
{
    public string Folder => $"{tablePath}/_staging/{runId}";

    public string PagePath(Slice slice, int page) => $"{Folder}/{slice.From}-{slice.To}/page-{page:D5}.jsonl.gz";

    public string UpdatesPath(int page) => $"{Folder}/updates/page-{page:D5}.jsonl.gz";

    public string WindowPath => $"{Folder}/window.json";

    /// <summary>Deletes what an earlier attempt staged for <paramref name="slice"/> (or the updates, when null), so no stale page outlives a retry.</summary>
    public async Task ClearAsync(Slice? slice, CancellationToken cancellationToken)
    {
        var folder = slice is { } s ? $"{Folder}/{s.From}-{s.To}/" : $"{Folder}/updates/";
        foreach (var path in await storage.ListAsync(folder, cancellationToken))
        {
            await storage.DeleteAsync(path, cancellationToken);
        }
    }

    /// <summary>
    /// Before a resumed attempt fetches anything: deletes every staged page that is not part of a finished slice (a
    /// slice an earlier attempt was fetching, or split differently, when it stopped), so only complete slices remain.
    /// </summary>
    public async Task ClearUnfinishedAsync(IReadOnlySet<Slice> finished, CancellationToken cancellationToken)
    {
        var keep = finished.Select(s => $"{Folder}/{s.From}-{s.To}/").ToList();
        foreach (var path in await storage.ListAsync(Folder, cancellationToken))
        {
            if (path != WindowPath && !keep.Exists(k => path.StartsWith(k, StringComparison.Ordinal)))
            {
                await storage.DeleteAsync(path, cancellationToken);
            }
        }
    }

    /// <summary>Deletes the run's staging once its records are in the table and the checkpoint has moved.</summary>
    public Task DeleteAllAsync(CancellationToken cancellationToken) => storage.DeleteFolderAsync(Folder, cancellationToken);

    /// <summary>The window the run's first attempt planned, so a resumed attempt plans the same slices.</summary>
    public async Task<RunWindow?> ReadWindowAsync(CancellationToken cancellationToken) =>
        await storage.ReadAsync(WindowPath, cancellationToken) is { } bytes ? JsonSerializer.Deserialize<RunWindow>(bytes) : null;

    public Task WriteWindowAsync(RunWindow window, CancellationToken cancellationToken) =>
        storage.WriteAsync(WindowPath, JsonSerializer.SerializeToUtf8Bytes(window), cancellationToken);

    public async Task WriteAsync(string path, IEnumerable<JsonElement> objects, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        await using (var writer = new Utf8JsonWriter(gzip))
        {
            foreach (var item in objects)
            {
                // One object per line. A compact object goes as the source sent it; a pretty-printed one (live Stripe
                // indents) is written again compact. JSON strings cannot hold a raw line break, so one means layout.
                var raw = JsonMarshal.GetRawUtf8Value(item);
                if (raw.IndexOfAny((byte)'\n', (byte)'\r') < 0)
                {
                    gzip.Write(raw);
                }
                else
                {
                    item.WriteTo(writer);
                    await writer.FlushAsync(cancellationToken);
                    writer.Reset();
                }
                gzip.WriteByte((byte)'\n');
            }
        }
        await storage.WriteAsync(path, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
    }

    /// <summary>Hands every staged object of <paramref name="slice"/> to <paramref name="each"/>, in page order. Returns how many.</summary>
    public Task<long> ReadSliceAsync(Slice slice, Action<JsonElement> each, CancellationToken cancellationToken) =>
        ReadPagesAsync($"{Folder}/{slice.From}-{slice.To}/", each, cancellationToken);

    /// <summary>Hands every staged re-fetched object to <paramref name="each"/>. Returns how many.</summary>
    public Task<long> ReadUpdatesAsync(Action<JsonElement> each, CancellationToken cancellationToken) =>
        ReadPagesAsync($"{Folder}/updates/", each, cancellationToken);

    private async Task<long> ReadPagesAsync(string folder, Action<JsonElement> each, CancellationToken cancellationToken)
    {
        var paths = (await storage.ListAsync(folder, cancellationToken))
            .Where(p => p.EndsWith(".jsonl.gz", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        long count = 0;
        foreach (var path in paths)
        {
            var bytes = await storage.ReadAsync(path, cancellationToken) ?? [];
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            await gzip.CopyToAsync(plain, cancellationToken);
            var rest = plain.GetBuffer().AsMemory(0, (int)plain.Length);
            while (rest.Length > 0)
            {
                var end = rest.Span.IndexOf((byte)'\n');
                var line = end < 0 ? rest : rest[..end];
                rest = end < 0 ? default : rest[(end + 1)..];
                if (line.Length > 0)
                {
                    using var document = JsonDocument.Parse(line);
                    each(document.RootElement);
                    count++;
                }
            }
        }
        return count;
    }
}

/// <summary>A run's planned window and when its first attempt started (the rows' <c>_ingested_at</c>).</summary>
public sealed record RunWindow(long From, long To, long SliceSeconds, long StartedAtUnixMilliseconds);
