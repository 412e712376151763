using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace OpsConsole.Server.Logs;

/// <summary>
/// A run's full log on disk: <c>log.jsonl.gz</c>, a sequence of complete gzip members (together one valid gzip file of
/// JSON lines), and <c>log.index</c>, one line per member: first and last sequence number, byte offset and length, how
/// far into the job's raw output its group of members reaches, and whether it ends the group. A group counts only once
/// its index lines are all written, so a crash mid-write loses nothing: the next open cuts the unindexed tail and the
/// lines are read again from the output.
/// </summary>
public sealed class LogArchive
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _dataFile;
    private readonly string _indexFile;
    private readonly List<Member> _members = [];
    private readonly Lock _lock = new();

    private readonly bool _writable;

    /// <param name="folder">The run's folder.</param>
    /// <param name="writable">
    /// The one writer of the archive (the console following the run): it cuts a torn tail on open. Readers leave the
    /// files as they are and see only complete groups.
    /// </param>
    public LogArchive(string folder, bool writable = true)
    {
        _writable = writable;
        if (writable)
        {
            Directory.CreateDirectory(folder);
        }
        _dataFile = Path.Combine(folder, "log.jsonl.gz");
        _indexFile = Path.Combine(folder, "log.index");
        Load();
    }

    /// <summary>The last archived sequence number (0 when empty).</summary>
    public long LastSeq { get { lock (_lock) { return _members.Count == 0 ? 0 : _members[^1].LastSeq; } } }

    /// <summary>How far into the job's raw output the archive reaches: the runner's position token ("" at the start).</summary>
    public string OutputPosition { get { lock (_lock) { return _members.Count == 0 ? "" : _members[^1].OutputPosition; } } }

    /// <summary>The archive's valid length in bytes.</summary>
    public long Length { get { lock (_lock) { return _members.Count == 0 ? 0 : _members[^1].Offset + _members[^1].Length; } } }

    public string DataFile => _dataFile;

    /// <summary>Lines per gzip member at most: a read of a range decompresses little beyond it.</summary>
    public const int MaxMemberLines = 2000;

    /// <summary>
    /// Appends <paramref name="lines"/> as gzip members of at most <see cref="MaxMemberLines"/> lines, flushed to disk,
    /// then indexes them with one write whose last line marks the end of the group: a group counts whole or not at all,
    /// because <paramref name="outputPosition"/> (where the job's output stands after the last line) belongs to all of it.
    /// </summary>
    public void Append(IReadOnlyList<LogLine> lines, string outputPosition)
    {
        if (!_writable)
        {
            throw new InvalidOperationException("This archive was opened for reading.");
        }
        if (lines.Count == 0)
        {
            return;
        }
        lock (_lock)
        {
            var offset = _members.Count == 0 ? 0 : _members[^1].Offset + _members[^1].Length;
            var group = new List<Member>();
            using (var data = new FileStream(_dataFile, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read))
            {
                data.SetLength(offset);
                data.Position = offset;
                for (var start = 0; start < lines.Count; start += MaxMemberLines)
                {
                    var count = Math.Min(MaxMemberLines, lines.Count - start);
                    var bytes = Compress(lines, start, count);
                    data.Write(bytes);
                    group.Add(new Member(lines[start].Seq, lines[start + count - 1].Seq, offset, bytes.Length, outputPosition, start + count == lines.Count));
                    offset += bytes.Length;
                }
                data.Flush(flushToDisk: true);
            }
            File.AppendAllText(_indexFile, string.Concat(group.Select(member => member.ToIndexLine())));
            _members.AddRange(group);
        }
    }

    private static byte[] Compress(IReadOnlyList<LogLine> lines, int start, int count)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new StreamWriter(gzip, new UTF8Encoding(false)))
        {
            for (var i = start; i < start + count; i++)
            {
                writer.Write(JsonSerializer.Serialize(lines[i], Json));
                writer.Write('\n');
            }
        }
        return buffer.ToArray();
    }

    /// <summary>Up to <paramref name="limit"/> archived lines with a sequence number above <paramref name="after"/>.</summary>
    public IReadOnlyList<LogLine> Read(long after, int limit)
    {
        List<Member> members;
        lock (_lock)
        {
            members = [.. _members.Where(member => member.LastSeq > after)];
        }
        var lines = new List<LogLine>();
        if (members.Count == 0)
        {
            return lines;
        }
        using var data = new FileStream(_dataFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        foreach (var member in members)
        {
            var bytes = new byte[member.Length];
            data.Position = member.Offset;
            data.ReadExactly(bytes);
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            while (reader.ReadLine() is { } text)
            {
                // Lines are written with "seq" first: the ones before the requested range are skipped unparsed.
                if (SeqOf(text) is { } seq && seq <= after)
                {
                    continue;
                }
                var line = JsonSerializer.Deserialize<LogLine>(text, Json)!;
                if (line.Seq > after)
                {
                    lines.Add(line);
                    if (lines.Count == limit)
                    {
                        return lines;
                    }
                }
            }
        }
        return lines;
    }

    /// <summary>Opens the archive's valid bytes for download (a complete gzip file).</summary>
    public Stream OpenRead()
    {
        var length = Length;
        if (length == 0)
        {
            return new MemoryStream(EmptyGzip());
        }
        var data = new FileStream(_dataFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new BoundedStream(data, length);
    }

    private static long? SeqOf(string text)
    {
        const string Prefix = "{\"seq\":";
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var end = text.IndexOf(',', Prefix.Length);
        return end > 0 && long.TryParse(text.AsSpan(Prefix.Length, end - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            ? seq : null;
    }

    private void Load()
    {
        if (!File.Exists(_indexFile))
        {
            return;
        }
        var dataLength = File.Exists(_dataFile) ? new FileInfo(_dataFile).Length : 0;
        var group = new List<Member>();
        foreach (var text in File.ReadAllLines(_indexFile))
        {
            var previous = group.Count > 0 ? group[^1] : _members.Count > 0 ? _members[^1] : null;
            if (!Member.TryParse(text, out var member) || member.Offset + member.Length > dataLength
                || member.FirstSeq != (previous?.LastSeq ?? 0) + 1)
            {
                break;
            }
            group.Add(member);
            if (member.GroupEnd)
            {
                _members.AddRange(group);
                group.Clear();
            }
        }
        if (!_writable)
        {
            return;
        }
        // Drop a torn index line or a member written after the last complete index line.
        File.WriteAllLines(_indexFile + ".tmp", _members.Select(member => member.ToIndexLine().TrimEnd('\n')));
        File.Move(_indexFile + ".tmp", _indexFile, overwrite: true);
        if (File.Exists(_dataFile))
        {
            using var data = new FileStream(_dataFile, FileMode.Open, FileAccess.Write);
            data.SetLength(Length);
        }
    }

    private static byte[] EmptyGzip()
    {
        using var buffer = new MemoryStream();
        using (new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// One index line. The output position is the runner's token, written as <c>-</c> when empty; an archive
    /// written when positions were byte offsets reads the same way (a number is a local runner's token).
    /// </summary>
    private sealed record Member(long FirstSeq, long LastSeq, long Offset, long Length, string OutputPosition, bool GroupEnd)
    {
        public string ToIndexLine() =>
            string.Create(CultureInfo.InvariantCulture, $"{FirstSeq} {LastSeq} {Offset} {Length} {(OutputPosition.Length == 0 ? "-" : OutputPosition)} {(GroupEnd ? 1 : 0)}\n");

        public static bool TryParse(string text, out Member member)
        {
            member = null!;
            var parts = text.Split(' ');
            var values = new long[6];
            if (parts.Length != 6)
            {
                return false;
            }
            for (var i = 0; i < 6; i++)
            {
                if (i != 4 && !long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
                {
                    return false;
                }
            }
            if (parts[4].Length == 0)
            {
                return false;
            }
            member = new Member(values[0], values[1], values[2], values[3], parts[4] == "-" ? "" : parts[4], values[5] == 1);
            return member.FirstSeq >= 1 && member.LastSeq >= member.FirstSeq && member.Length > 0 && values[5] is 0 or 1;
        }
    }

    /// <summary>A read-only view of the first <c>length</c> bytes of a stream.</summary>
    private sealed class BoundedStream(Stream inner, long length) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) =>
            inner.Read(buffer, offset, (int)Math.Min(count, length - inner.Position));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, length - inner.Position)], cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
