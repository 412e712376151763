using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.Lake.Storage.Local;

namespace OpsConsole.Shared.Tests;

/// <summary>The lake-storage specification on a folder, and what only a folder has (folders, temporary files).</summary>
public sealed class LocalLakeStorageTests : LakeStorageSpec, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"opsconsole-lake-{Guid.NewGuid():N}");
    private LocalLakeStorage? _lake;

    protected override ILakeStorage Lake => _lake ??= new LocalLakeStorage(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Delete_LastFileOfAFolder_RemovesTheFoldersItLeavesEmptyButNotTheRoot()
    {
        var lake = new LocalLakeStorage(_root);
        await lake.WriteAsync("t/_staging/run/1-2/page-00000.jsonl.gz", new byte[] { 1 });
        await lake.WriteAsync("t/keep.json", new byte[] { 2 });

        await lake.DeleteAsync("t/_staging/run/1-2/page-00000.jsonl.gz");

        Assert.False(Directory.Exists(Path.Combine(_root, "t", "_staging")));
        Assert.True(File.Exists(Path.Combine(_root, "t", "keep.json")));
        Assert.Equal(["t/keep.json"], await lake.ListAsync("t"));
    }

    [Fact]
    public async Task DeleteFolder_TakesHalfWrittenTemporaryFilesWithIt()
    {
        var lake = new LocalLakeStorage(_root);
        await lake.WriteAsync("t/_staging/run/1-2/page-00000.jsonl.gz", new byte[] { 1 });
        await File.WriteAllBytesAsync(Path.Combine(_root, "t", "_staging", "run", "1-2", ".tmp-crashed"), [3]);

        await lake.DeleteFolderAsync("t/_staging/run");

        Assert.False(Directory.Exists(Path.Combine(_root, "t")));
        Assert.True(Directory.Exists(_root));
    }

    [Fact]
    public async Task List_IgnoresTemporaryFiles()
    {
        var lake = new LocalLakeStorage(_root);
        await lake.WriteAsync("a/b.bin", new byte[] { 1 });
        await File.WriteAllBytesAsync(Path.Combine(_root, "a", ".tmp-x"), [3]);

        Assert.Equal(["a/b.bin"], await lake.ListAsync("a"));
    }

    [Fact]
    public async Task PutIfAbsent_TwoWritersRacingForOnePath_ExactlyOneWinsEveryTime()
    {
        var storage = new LocalLakeStorage(Path.Combine(Path.GetTempPath(), $"opsconsole-race-{Guid.NewGuid():N}"));
        try
        {
            var doubleWins = 0;
            for (var round = 0; round < 300; round++)
            {
                var path = $"t/_delta_log/{round:D20}.json";
                using var start = new Barrier(2);
                var wins = await Task.WhenAll(Enumerable.Range(0, 2).Select(writer => Task.Run(async () =>
                {
                    start.SignalAndWait();
                    return await storage.PutIfAbsentAsync(path, System.Text.Encoding.UTF8.GetBytes($"writer {writer}"));
                })));
                Assert.True(wins.Any(w => w), $"round {round}: nobody won");
                doubleWins += wins.Count(w => w) == 2 ? 1 : 0;
                Assert.StartsWith("writer ", System.Text.Encoding.UTF8.GetString((await storage.ReadAsync(path))!), StringComparison.Ordinal);
            }

            Assert.Equal(0, doubleWins);
            Assert.DoesNotContain(await storage.ListAsync("t"), f => f.Contains(".tmp-", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(storage.Location, recursive: true);
        }
    }
}
