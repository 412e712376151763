using OpsConsole.Shared.Lake.Storage;
using OpsConsole.Shared.State;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Shared.Tests;

public sealed class StoreUriTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"opsconsole-uri-{Guid.NewGuid():N}");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("data/state.db", "sqlite", "data/state.db")]
    [InlineData("/var/lib/opsconsole/state.db", "sqlite", "/var/lib/opsconsole/state.db")]
    [InlineData("sqlite:data/state.db", "sqlite", "data/state.db")]
    [InlineData("sqlite:/var/state.db", "sqlite", "/var/state.db")]
    [InlineData("sqlite:///var/state.db", "sqlite", "/var/state.db")]
    [InlineData("SQLITE:/var/state.db", "sqlite", "/var/state.db")]
    [InlineData("sqlite:/var/my%20state.db", "sqlite", "/var/my state.db")]
    [InlineData("./c:odd", "sqlite", "./c:odd")]
    public void Parse_LocalForms_GiveSchemeAndPath(string value, string scheme, string path)
    {
        var uri = StoreUri.Parse(value, "sqlite");

        Assert.Equal(scheme, uri.Scheme);
        Assert.Equal(path, uri.LocalPath());
    }

    [Fact]
    public void Parse_RemoteForm_GivesAuthorityPathAndParameters()
    {
        var uri = StoreUri.Parse("s3://bucket/raw/prefix?endpoint=http%3A%2F%2F127.0.0.1%3A4568&region=eu-west-1&pathStyle=true", "file");

        Assert.Equal("s3", uri.Scheme);
        Assert.Equal("bucket", uri.Authority);
        Assert.Equal("/raw/prefix", uri.Path);
        Assert.Equal(new Dictionary<string, string> { ["endpoint"] = "http://127.0.0.1:4568", ["region"] = "eu-west-1", ["pathStyle"] = "true" }, uri.Parameters);
    }

    [Theory]
    [InlineData("", "is empty.")]
    [InlineData("   ", "is empty.")]
    [InlineData("sqlite:", "has no path after 'sqlite:'.")]
    [InlineData("sqlite://", "has no path after 'sqlite:'.")]
    [InlineData("sqlite://db-host/state.db", "names the host 'db-host'")]
    [InlineData("sqlite:/var/state.db?mode=memory", "has the parameter 'mode', which a sqlite: store does not take.")]
    [InlineData("sqlite:/x?=1", "has a parameter without a name ('=1').")]
    [InlineData("sqlite:/x?a=1&a=2", "has the parameter 'a' twice.")]
    [InlineData("sqlite:/x\ny", "contains a control character.")]
    public void Parse_Malformed_SaysWhatIsWrong(string value, string message)
    {
        var exception = Assert.Throws<StoreUriException>(() => StateStores.Factory().Parse(value).LocalPath());

        Assert.StartsWith(message, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("redis://cache:6379", "has the scheme 'redis:', which is not a state store (known: dynamodb:, sqlite:).")]
    [InlineData("postgres://host/db", "has the scheme 'postgres:', which is not a state store (known: dynamodb:, sqlite:).")]
    public void StateFactory_UnknownScheme_NamesItAndTheKnownOnes(string value, string message) =>
        Assert.Equal(message, Assert.Throws<StoreUriException>(() => StateStores.Open(value)).Message);

    [Theory]
    [InlineData("gs://bucket/prefix", "has the scheme 'gs:', which is not a lake (known: file:, s3:).")]
    [InlineData("sqlite:/tmp/x", "has the scheme 'sqlite:', which is not a lake (known: file:, s3:).")]
    public void LakeFactory_UnknownScheme_NamesItAndTheKnownOnes(string value, string message) =>
        Assert.Equal(message, Assert.Throws<StoreUriException>(() => LakeStorages.Open(value)).Message);

    [Fact]
    public async Task StateFactory_SqliteUriAndPlainPath_OpenTheSameStore()
    {
        var file = Path.Combine(_folder, "state.db");
        await StateStores.Open($"sqlite:{file}").WriteCheckpointAsync("stripe", "charges", 42, 0, "test", "written through the URI");

        var checkpoint = await StateStores.Open(file).GetCheckpointAsync("stripe", "charges");

        Assert.Equal(42, checkpoint!.Cursor);
    }

    [Fact]
    public async Task LakeFactory_FileUriAndPlainPath_OpenTheSameFolder()
    {
        await LakeStorages.Open($"file://{_folder}/lake").WriteAsync("a/b.txt", "hello"u8.ToArray());

        Assert.Equal("hello"u8.ToArray(), await LakeStorages.Open(Path.Combine(_folder, "lake")).ReadAsync("a/b.txt"));
    }

    [Fact]
    public void Open_WhereAFileIs_IsUnavailableNamingThePlace()
    {
        Directory.CreateDirectory(_folder);
        var file = Path.Combine(_folder, "not-a-folder");
        File.WriteAllText(file, "x");

        var lake = Assert.Throws<StoreUnavailableException>(() => LakeStorages.Open($"file:{file}/lake"));
        var state = Assert.Throws<StoreUnavailableException>(() => StateStores.Open($"sqlite:{file}/state.db"));

        Assert.Contains(file, lake.Message, StringComparison.Ordinal);
        Assert.Contains(file, state.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SqliteStore_NotADatabase_FailsAsUnavailableNotAsSqlite()
    {
        Directory.CreateDirectory(_folder);
        var file = Path.Combine(_folder, "garbage.db");
        await File.WriteAllBytesAsync(file, [.. Enumerable.Repeat((byte)0x5A, 8192)]);

        var exception = await Record.ExceptionAsync(async () => await StateStores.Open(file).ListCheckpointsAsync());

        var unavailable = Assert.IsType<StoreUnavailableException>(exception);
        Assert.Contains(file, unavailable.Message, StringComparison.Ordinal);
    }
}
