using System.IO.Hashing;
using System.Runtime.InteropServices;
using OpsConsole.Shared.Lake.Delta;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Lake.Storage;
using OpsConsole.SparkJobs.Transform;

namespace OpsConsole.SparkJobs.Lake;

/// <summary>
/// One attempt at merging a batch on top of one snapshot of the table. Partitions are written as they arrive; an id
/// is placed in the partition of its row's <c>created</c> day. The table's rule is <b>every id exactly once</b>, also
/// when the source sends one id under two <c>created</c> values (two days in one batch), or under another day than
/// the table holds it: then the copy with the latest <c>_ingested_at</c> is kept, and between copies of the same
/// run the one later in the batch's order (updates first, then slices oldest first); every other copy is removed
/// from its partition in the same commit. Ids are tracked by a 64-bit hash while partitions stream; a hash seen twice is checked against the files themselves, so a collision costs a read, never a row.
/// </summary>
internal sealed class TableMerge
{
    private readonly ILakeStorage _storage;
    private readonly DeltaLog _log;
    private readonly StreamSchema _schema;
    private readonly ITableFormat _format;
    private readonly string _runId;
    private readonly DeltaSnapshot _snapshot;
    private readonly ILookup<string?, DeltaAdd> _filesByPartition;
    private readonly int _idColumn, _createdColumn, _ingestedColumn, _runColumn;

    // Every id this attempt wrote, by hash, to the index of its partition in _written.
    private readonly Dictionary<ulong, int> _placed = [];

    // Ids found in more than one place (or sharing a hash): the places that may hold them.
    private readonly Dictionary<string, HashSet<Place>> _suspects = new(StringComparer.Ordinal);
    private readonly List<Written> _written = [];
    private readonly List<DeltaAction> _removals = [];

    public TableMerge(ILakeStorage storage, DeltaLog log, StreamSchema schema, ITableFormat format, string runId, DeltaSnapshot snapshot)
    {
        (_storage, _log, _schema, _format, _runId, _snapshot) = (storage, log, schema, format, runId, snapshot);
        _filesByPartition = snapshot.Files.Values.ToLookup(f => f.PartitionValues.GetValueOrDefault(LakeTable.PartitionColumn), StringComparer.Ordinal);
        _idColumn = schema.IndexOf("id");
        _createdColumn = schema.IndexOf("created");
        _ingestedColumn = schema.IndexOf(StreamSchema.IngestedAt);
        _runColumn = schema.IndexOf(StreamSchema.RunId);
    }

    public long Inserted { get; private set; }

    public long Replaced { get; private set; }

    public int Partitions => _written.Count;

    /// <summary>Lake paths of the files this attempt wrote (to remove when the attempt does not commit).</summary>
    public IEnumerable<string> Files => _written.Where(w => w.Add.Size > 0).Select(w => FullPath(w.Add.Path));

    /// <summary>Rewrites one partition with the batch's rows replacing older versions of the same ids.</summary>
    public async Task WritePartitionAsync(PartitionRows partition, CancellationToken cancellationToken)
    {
        var slot = _written.Count;
        var existing = _filesByPartition[partition.Partition].ToList();
        var merged = new Dictionary<string, object?[]>(StringComparer.Ordinal);
        foreach (var file in existing)
        {
            foreach (var row in await ReadRowsAsync(file.Path, cancellationToken))
            {
                merged[(string)row[_idColumn]!] = row;
            }
        }
        // The latest row of each id within the batch's partition wins (later rows are newer).
        var latest = new Dictionary<string, object?[]>(StringComparer.Ordinal);
        foreach (var row in partition.Rows)
        {
            latest[(string)row[_idColumn]!] = row;
        }
        foreach (var (id, row) in latest)
        {
            if (merged.TryGetValue(id, out var current))
            {
                // A run resumed from older staged pages never replaces a version another run fetched later.
                if (Ingested(current) > Ingested(row))
                {
                    continue;
                }
                Replaced++;
            }
            else
            {
                Inserted++;
            }
            merged[id] = row;
        }
        foreach (var id in merged.Keys)
        {
            Track(id, slot);
        }
        var rows = merged.Values.OrderBy(r => (long)r[_createdColumn]!).ThenBy(r => (string)r[_idColumn]!, StringComparer.Ordinal).ToList();
        var add = await WriteFileAsync(partition.Partition, rows, cancellationToken);
        _written.Add(new Written(partition.Partition, add, existing));
    }

    /// <summary>
    /// After the last partition: finds ids this attempt placed that also sit in a partition it did not rewrite, keeps
    /// one copy of every id found in more than one place, and returns the commit's actions and what moved.
    /// </summary>
    public async Task<(List<DeltaAction> Actions, IReadOnlyList<MovedId> Moved)> FinishAsync(CancellationToken cancellationToken)
    {
        await FindCopiesInOtherPartitionsAsync(cancellationToken);
        var moved = _suspects.Count == 0 ? [] : await KeepOneCopyAsync(cancellationToken);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var actions = new List<DeltaAction>(_removals);
        foreach (var written in _written)
        {
            foreach (var file in written.Replaces.Where(f => f.Path != written.Add.Path))
            {
                actions.Add(Remove(file, now));
            }
            if (written.Add.Size > 0)
            {
                actions.Add(new DeltaAction { Add = written.Add });
            }
        }
        return (actions, moved);
    }

    private void Track(string id, int slot)
    {
        ref var placed = ref CollectionsMarshal.GetValueRefOrAddDefault(_placed, Hash(id), out var exists);
        if (exists && placed != slot)
        {
            Suspect(id, new Place(placed, null));
            Suspect(id, new Place(slot, null));
        }
        placed = slot;
    }

    private void Suspect(string id, Place place)
    {
        if (!_suspects.TryGetValue(id, out var places))
        {
            _suspects[id] = places = [];
        }
        places.Add(place);
    }

    /// <summary>Reads the ids of every partition this attempt did not rewrite, looking for ids it placed elsewhere.</summary>
    private async Task FindCopiesInOtherPartitionsAsync(CancellationToken cancellationToken)
    {
        if (_placed.Count == 0)
        {
            return;
        }
        var rewritten = _written.Select(w => w.Partition).ToHashSet(StringComparer.Ordinal);
        var others = _snapshot.Files.Values.Where(f => !rewritten.Contains(f.PartitionValues.GetValueOrDefault(LakeTable.PartitionColumn) ?? ""));
        string[] only = ["id"];
        foreach (var file in others.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            var ids = (string?[])(await _format.ReadAsync(await ReadFileAsync(file.Path, cancellationToken), _schema.Columns, only, cancellationToken))["id"];
            foreach (var id in ids)
            {
                if (id is not null && _placed.TryGetValue(Hash(id), out var slot))
                {
                    Suspect(id, new Place(slot, null));
                    Suspect(id, new Place(-1, file));
                }
            }
        }
    }

    private async Task<IReadOnlyList<MovedId>> KeepOneCopyAsync(CancellationToken cancellationToken)
    {
        // Every place that may hold a suspect, read once: its rows by id.
        var contents = new Dictionary<Place, Dictionary<string, object?[]>>();
        foreach (var place in _suspects.Values.SelectMany(p => p).Distinct())
        {
            var path = place.Existing?.Path ?? _written[place.Slot].Add.Path;
            contents[place] = (await ReadRowsAsync(path, cancellationToken))
                .ToDictionary(r => (string)r[_idColumn]!, StringComparer.Ordinal);
        }

        var evictions = new Dictionary<Place, HashSet<string>>();
        var moved = new List<MovedId>();
        foreach (var (id, places) in _suspects.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var copies = places.Where(p => contents[p].ContainsKey(id)).Select(p => (Place: p, Row: contents[p][id])).ToList();
            if (copies.Count < 2)
            {
                continue; // Two ids sharing a hash: nothing to do.
            }
            // The latest fetch wins; between copies of one fetch, the later place in the batch's order.
            var kept = copies.MaxBy(c => (Ingested(c.Row), c.Place.Slot));
            var dropped = copies.Where(c => c.Place != kept.Place).ToList();
            foreach (var copy in dropped)
            {
                if (!evictions.TryGetValue(copy.Place, out var ids))
                {
                    evictions[copy.Place] = ids = new HashSet<string>(StringComparer.Ordinal);
                }
                ids.Add(id);
            }
            CountMove(kept.Row, dropped.Select(d => d.Row));
            moved.Add(new MovedId(id, PartitionOf(kept.Place), [.. dropped.Select(d => PartitionOf(d.Place))]));
        }
        foreach (var (place, ids) in evictions)
        {
            await EvictAsync(place, contents[place], ids, cancellationToken);
        }
        return moved;
    }

    /// <summary>The counts said each batch copy was new or replaced one; a dropped copy changes that.</summary>
    private void CountMove(object?[] kept, IEnumerable<object?[]> dropped)
    {
        var replacedOlder = false;
        foreach (var row in dropped)
        {
            if (FromThisRun(row))
            {
                Inserted--;
            }
            else
            {
                replacedOlder = true;
            }
        }
        if (replacedOlder && FromThisRun(kept))
        {
            Inserted--;
            Replaced++;
        }
    }

    /// <summary>Writes the place's file again without <paramref name="ids"/> (no file when nothing is left).</summary>
    private async Task EvictAsync(Place place, Dictionary<string, object?[]> rows, HashSet<string> ids, CancellationToken cancellationToken)
    {
        var partition = PartitionOf(place);
        var kept = rows.Values.Where(r => !ids.Contains((string)r[_idColumn]!))
            .OrderBy(r => (long)r[_createdColumn]!).ThenBy(r => (string)r[_idColumn]!, StringComparer.Ordinal).ToList();
        var add = kept.Count == 0 ? Empty(partition) : await WriteFileAsync(partition, kept, cancellationToken);
        if (place.Existing is { } existing)
        {
            _removals.Add(Remove(existing, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            if (add.Size > 0)
            {
                _removals.Add(new DeltaAction { Add = add });
            }
            return;
        }
        // The file it replaces was never committed: no reader can see it.
        await _storage.DeleteAsync(FullPath(_written[place.Slot].Add.Path), cancellationToken);
        _written[place.Slot] = _written[place.Slot] with { Add = add };
    }

    private async Task<DeltaAdd> WriteFileAsync(string partition, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        var table = Tables.FromRows(_schema.Columns, rows);
        using var buffer = new MemoryStream();
        await _format.WriteAsync(buffer, table, cancellationToken);
        // A new name per file: a file a commit refers to is never overwritten.
        var path = $"{LakeTable.PartitionColumn}={partition}/part-{_runId}-{Guid.NewGuid().ToString("N")[..12]}{_format.Extension}";
        await _storage.WriteAsync(FullPath(path), buffer.ToArray(), cancellationToken);
        Ingest.CrashPoints.Reach(Ingest.CrashPoints.FileWritten);
        return new DeltaAdd(path, new Dictionary<string, string?> { [LakeTable.PartitionColumn] = partition }, buffer.Length,
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), true, DeltaSchema.Stats(table));
    }

    /// <summary>A file's rows in the table's columns; a file written before the timestamp columns gets them from their fields.</summary>
    private async Task<List<object?[]>> ReadRowsAsync(string path, CancellationToken cancellationToken)
    {
        var rows = Tables.ToRows(await _format.ReadAsync(await ReadFileAsync(path, cancellationToken), _schema.Columns, cancellationToken: cancellationToken));
        foreach (var row in rows)
        {
            _schema.FillTimestamps(row);
        }
        return rows;
    }

    private async Task<byte[]> ReadFileAsync(string path, CancellationToken cancellationToken) =>
        await _storage.ReadAsync(FullPath(path), cancellationToken)
        ?? throw new InvalidDataException($"{FullPath(path)} is in the commit log but not in the lake.");

    private string PartitionOf(Place place) =>
        place.Existing?.PartitionValues.GetValueOrDefault(LakeTable.PartitionColumn) ?? _written[place.Slot].Partition;

    private static DeltaAdd Empty(string partition) =>
        new("", new Dictionary<string, string?> { [LakeTable.PartitionColumn] = partition }, 0, 0, true, null);

    private static DeltaAction Remove(DeltaAdd file, long now) =>
        new() { Remove = new DeltaRemove(file.Path, now, true, true, file.PartitionValues, file.Size) };

    private string FullPath(string path) => $"{_log.TablePath}/{path}";

    private long Ingested(object?[] row) => (long)row[_ingestedColumn]!;

    private bool FromThisRun(object?[] row) => (string?)row[_runColumn] == _runId;

    private static ulong Hash(string id) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(id.AsSpan()));

    /// <summary>A partition this attempt wrote (slot in its list), or a file of the table it did not rewrite.</summary>
    private readonly record struct Place(int Slot, DeltaAdd? Existing);

    /// <summary>A partition this attempt wrote: its new file (size 0 when nothing is left) and the files it replaces.</summary>
    private sealed record Written(string Partition, DeltaAdd Add, IReadOnlyList<DeltaAdd> Replaces);
}

/// <summary>An id the source sent under more than one day (partition): the partition that keeps it, and those it left.</summary>
public sealed record MovedId(string Id, string Kept, IReadOnlyList<string> Dropped);
