using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace OpsConsole.Server.Logs;

/// <summary>
/// A run's full log on disk: <c>log.jsonl.gz</c>, a sequence of complete gzip members (together one valid gzip file of
/// JSON lines), and <c>log.index</c>, one line per member: first and last sequence number, byte offset and length, and
/// how far into the job's raw output the member reaches. A member counts only once its index line is written, so a
/// crash mid-write loses nothing: the next open cuts the unindexed tail and the lines are read again from the output.
/// </summary>
public sealed class LogArchive
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _dataFile;
    private readonly string _indexFile;
    private readonly List<Member> _members = [];
    private readonly Lock _lock = new();

    public LogArchive(string folder)
    {
        Directory.CreateDirectory(folder);
        _dataFile = Path.Combine(folder, "log.jsonl.gz");
        _indexFile = Path.Combine(folder, "log.index");
        Load();
    }

    /// <summary>The last archived sequence number (0 when empty).</summary>
    public long LastSeq { get { lock (_lock) { return _members.Count == 0 ? 0 : _members[^1].LastSeq; } } }

    /// <summary>How far into the job's raw output the archive reaches (bytes).</summary>
    public long OutputOffset { get { lock (_lock) { return _members.Count == 0 ? 0 : _members[^1].OutputOffset; } } }

    /// <summary>The archive's valid length in bytes.</summary>
    public long Length { get { lock (_lock) { return _members.Count == 0 ? 0 : _members[^1].Offset + _members[^1].Length; } } }

    public string DataFile => _dataFile;

    /// <summary>Appends <paramref name="lines"/> as one gzip member, flushed to disk, then indexes it.</summary>
    public void Append(IReadOnlyList<LogLine> lines, long outputOffset)
    {
        if (lines.Count == 0)
        {
            return;
        }
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new StreamWriter(gzip, new UTF8Encoding(false)))
        {
            foreach (var line in lines)
            {
                writer.Write(JsonSerializer.Serialize(line, Json));
                writer.Write('\n');
            }
        }
        lock (_lock)
        {
            var offset = _members.Count == 0 ? 0 : _members[^1].Offset + _members[^1].Length;
            using (var data = new FileStream(_dataFile, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read))
            {
                data.SetLength(offset);
                data.Position = offset;
                buffer.Position = 0;
                buffer.CopyTo(data);
                data.Flush(flushToDisk: true);
            }
            var member = new Member(lines[0].Seq, lines[^1].Seq, offset, buffer.Length, outputOffset);
            File.AppendAllText(_indexFile, member.ToIndexLine());
            _members.Add(member);
        }
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

    private void Load()
    {
        if (!File.Exists(_indexFile))
        {
            return;
        }
        var dataLength = File.Exists(_dataFile) ? new FileInfo(_dataFile).Length : 0;
        foreach (var text in File.ReadAllLines(_indexFile))
        {
            if (Member.TryParse(text, out var member) && member.Offset + member.Length <= dataLength
                && (_members.Count == 0 || member.FirstSeq == _members[^1].LastSeq + 1))
            {
                _members.Add(member);
            }
            else
            {
                break;
            }
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

    private sealed record Member(long FirstSeq, long LastSeq, long Offset, long Length, long OutputOffset)
    {
        public string ToIndexLine() => string.Create(CultureInfo.InvariantCulture, $"{FirstSeq} {LastSeq} {Offset} {Length} {OutputOffset}\n");

        public static bool TryParse(string text, out Member member)
        {
            member = null!;
            var parts = text.Split(' ');
            var values = new long[5];
            if (parts.Length != 5)
            {
                return false;
            }
            for (var i = 0; i < 5; i++)
            {
                if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
                {
                    return false;
                }
            }
            member = new Member(values[0], values[1], values[2], values[3], values[4]);
            return member.FirstSeq >= 1 && member.LastSeq >= member.FirstSeq && member.Length > 0;
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
