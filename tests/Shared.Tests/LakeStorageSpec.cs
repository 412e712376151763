using System.Security.Cryptography;
using System.Text;
using OpsConsole.Shared.Lake.Storage;

namespace OpsConsole.Shared.Tests;

/// <summary>
/// What every lake storage must do, run against each adapter (a folder; S3 on s3rver with commits coordinated on
/// dynalite): every byte back as written, streams of any size, listings in order across pages, folder deletes in
/// batches, and a put-if-absent that exactly one of racing writers wins.
/// </summary>
public abstract class LakeStorageSpec
{
    protected abstract ILakeStorage Lake { get; }

    [Fact]
    public async Task Write_ThenRead_ReturnsEveryByteValueAsWritten_AndAnEmptyFile()
    {
        var bytes = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7 % 256)).ToArray();

        await Lake.WriteAsync("t/bytes.bin", bytes);
        await Lake.WriteAsync("t/empty.bin", Array.Empty<byte>());

        Assert.Equal(bytes, await Lake.ReadAsync("t/bytes.bin"));
        Assert.Equal(0, (await Lake.ReadAsync("t/empty.bin"))?.Length);
        Assert.Null(await Lake.ReadAsync("t/missing.bin"));
    }

    [Fact]
    public async Task Write_AnExistingFile_ReplacesIt()
    {
        await Lake.WriteAsync("t/_staging/window.json", "first, and longer"u8.ToArray());
        await Lake.WriteAsync("t/_staging/window.json", "second"u8.ToArray());

        Assert.Equal("second"u8.ToArray(), await Lake.ReadAsync("t/_staging/window.json"));
    }

    [Fact]
    public async Task WriteStream_OfTwoAndAHalfParts_FromAStreamThatCannotSeek_RoundTripsEveryByte()
    {
        var length = (long)(2.5 * 8 * 1024 * 1024);
        var source = new GeneratedStream(length, seed: 11);

        await Lake.WriteAsync("t/big/part-00000.parquet", source);

        await using var read = await Lake.OpenReadAsync("t/big/part-00000.parquet");
        Assert.Equal(source.Sha256(), Convert.ToHexString(await SHA256.HashDataAsync(read!)));
        Assert.Null(await Lake.OpenReadAsync("t/big/missing.parquet"));
    }

    [Fact]
    public async Task WriteStream_Small_IsOneFile()
    {
        await Lake.WriteAsync("t/small.json", new MemoryStream("{\"a\":1}"u8.ToArray()));

        Assert.Equal("{\"a\":1}"u8.ToArray(), await Lake.ReadAsync("t/small.json"));
    }

    [Fact]
    public async Task List_ManyFiles_ComeBackInOrdinalOrder_OnlyBelowTheFolder()
    {
        var paths = Enumerable.Range(0, 25).Select(i => $"t/_delta_log/{24 - i:D20}.json").ToList();
        await Parallel.ForEachAsync(paths, async (path, token) => await Lake.WriteAsync(path, Encoding.UTF8.GetBytes(path), token));
        await Lake.WriteAsync("t/_delta_logs/other.json", "x"u8.ToArray());
        await Lake.WriteAsync("t/Z.json", "x"u8.ToArray());

        var listed = await Lake.ListAsync("t/_delta_log");

        Assert.Equal(paths.Order(StringComparer.Ordinal), listed);
        Assert.Equal(27, (await Lake.ListAsync("t")).Count);
        Assert.Empty(await Lake.ListAsync("nothing/here"));
    }

    [Fact]
    public async Task DeleteFolder_OfMoreThanOneBatch_RemovesEverythingBelowAndNothingBeside()
    {
        var paths = Enumerable.Range(0, 1_050).Select(i => $"t/_staging/run-1/0-10/page-{i:D5}.jsonl.gz").ToList();
        await Parallel.ForEachAsync(paths, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (path, token) => await Lake.WriteAsync(path, new byte[] { 1 }, token));
        await Lake.WriteAsync("t/_staging/run-2/keep.json", "k"u8.ToArray());

        await Lake.DeleteFolderAsync("t/_staging/run-1");

        Assert.Equal(["t/_staging/run-2/keep.json"], await Lake.ListAsync("t"));
    }

    [Fact]
    public async Task Delete_OneFile_LeavesItsNeighbours()
    {
        await Lake.WriteAsync("t/a.json", "a"u8.ToArray());
        await Lake.WriteAsync("t/b.json", "b"u8.ToArray());

        await Lake.DeleteAsync("t/a.json");
        await Lake.DeleteAsync("t/never-there.json");

        Assert.Equal(["t/b.json"], await Lake.ListAsync("t"));
    }

    [Fact]
    public async Task PutIfAbsent_ATakenPath_IsFalse_AndKeepsTheFirstContent()
    {
        Assert.True(await Lake.PutIfAbsentAsync("t/_delta_log/00000000000000000000.json", "first"u8.ToArray()));
        Assert.False(await Lake.PutIfAbsentAsync("t/_delta_log/00000000000000000000.json", "second"u8.ToArray()));

        Assert.Equal("first"u8.ToArray(), await Lake.ReadAsync("t/_delta_log/00000000000000000000.json"));
        Assert.Equal(["t/_delta_log/00000000000000000000.json"], await Lake.ListAsync("t"));
    }

    [Fact]
    public async Task PutIfAbsent_EightRacingWriters_ExactlyOneWinsEveryRound_AndItsBytesAreThere()
    {
        for (var round = 0; round < 12; round++)
        {
            var path = $"t/_delta_log/{round:D20}.json";
            using var start = new Barrier(8);
            var wins = await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
            {
                start.SignalAndWait();
                return await Lake.PutIfAbsentAsync(path, Encoding.UTF8.GetBytes($"writer {writer}"));
            })));

            Assert.Equal(1, wins.Count(w => w));
            Assert.Equal($"writer {Array.IndexOf(wins, true)}", Encoding.UTF8.GetString((await Lake.ReadAsync(path))!));
        }
        Assert.Equal(12, (await Lake.ListAsync("t")).Count);
    }

    [Fact]
    public async Task APathOutsideTheLake_IsRefused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Lake.ReadAsync("../etc/passwd"));
        await Assert.ThrowsAsync<ArgumentException>(() => Lake.WriteAsync("/abs/file", new byte[] { 1 }));
    }

    /// <summary>Pseudo-random bytes made on demand, read-only and unseekable, like a network or pipe stream.</summary>
    protected sealed class GeneratedStream(long length, int seed) : Stream
    {
        private readonly Random _random = new(seed);
        private long _position;

        public string Sha256()
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var again = new Random(seed);
            var buffer = new byte[81920];
            for (var left = length; left > 0; left -= buffer.Length)
            {
                var count = (int)Math.Min(buffer.Length, left);
                again.NextBytes(buffer.AsSpan(0, count));
                hash.AppendData(buffer, 0, count);
            }
            return Convert.ToHexString(hash.GetHashAndReset());
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            _random.NextBytes(buffer.AsSpan(offset, n));
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
