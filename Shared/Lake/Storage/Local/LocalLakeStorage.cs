using System.Runtime.InteropServices;
using OpsConsole.Shared.Storage;

namespace OpsConsole.Shared.Lake.Storage.Local;

/// <summary>
/// The lake in a local folder. Writes go to a temporary file in the same folder and are renamed into place;
/// put-if-absent hard-links the written file to its path, which fails atomically when the path exists. The file system's errors (permissions, disk full)
/// leave as <see cref="StoreUnavailableException"/> naming the lake folder.
/// </summary>
public sealed partial class LocalLakeStorage : ILakeStorage
{
    private readonly string _root;

    public LocalLakeStorage(string root)
    {
        _root = Path.GetFullPath(root);
        Translate(() => Directory.CreateDirectory(_root));
    }

    public string Location => _root;

    public Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => ReadCoreAsync(path, cancellationToken));

    public Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default) =>
        TranslateAsync(() =>
        {
            var full = FullPath(path);
            return Task.FromResult<Stream?>(File.Exists(full) ? new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous) : null);
        });

    public Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        TranslateAsync(async () =>
        {
            await WriteCoreAsync(path, content, cancellationToken);
            return true;
        });

    public Task WriteAsync(string path, Stream content, CancellationToken cancellationToken = default) =>
        TranslateAsync(async () =>
        {
            var temp = await WriteTempAsync(path, (file, token) => content.CopyToAsync(file, token), cancellationToken);
            File.Move(temp, FullPath(path), overwrite: true);
            return true;
        });

    public Task<bool> PutIfAbsentAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => PutIfAbsentCoreAsync(path, content, cancellationToken));

    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        [.. (await ListFilesAsync(prefix, cancellationToken)).Select(f => f.Path)];

    public Task<IReadOnlyList<LakeFile>> ListFilesAsync(string prefix, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => ListCoreAsync(prefix, cancellationToken));

    public Task DeleteAsync(string path, CancellationToken cancellationToken = default) =>
        TranslateAsync(async () =>
        {
            await DeleteCoreAsync(path, cancellationToken);
            return true;
        });

    public Task DeleteFolderAsync(string prefix, CancellationToken cancellationToken = default) =>
        TranslateAsync(async () =>
        {
            await DeleteFolderCoreAsync(prefix, cancellationToken);
            return true;
        });

    private async Task<T> TranslateAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception exception) when (exception is (IOException and not StoreUnavailableException) or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"The lake folder {_root} failed: {exception.Message}", exception);
        }
    }

    private void Translate(Action action)
    {
        try
        {
            action();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"The lake folder {_root} cannot be used: {exception.Message}", exception);
        }
    }

    private async Task<byte[]?> ReadCoreAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = FullPath(path);
        return File.Exists(full) ? await File.ReadAllBytesAsync(full, cancellationToken) : null;
    }

    private async Task WriteCoreAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var temp = await WriteTempAsync(path, content, cancellationToken);
        File.Move(temp, FullPath(path), overwrite: true);
    }

    /// <summary>
    /// The whole file is written to a temporary name, then hard-linked to its path: <c>link(2)</c> fails with
    /// EEXIST when the path exists, atomically, so of racing writers exactly one wins. (.NET's
    /// <c>File.Move(..., overwrite: false)</c> checks and then renames: two racing writers both "win" about one
    /// time in twelve on this machine, which would lose a commit.)
    /// </summary>
    private async Task<bool> PutIfAbsentCoreAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var target = FullPath(path);
        var temp = await WriteTempAsync(path, content, cancellationToken);
        try
        {
            if (Link(temp, target) == 0)
            {
                return true;
            }
            var errno = Marshal.GetLastPInvokeError();
            return errno == AlreadyExists ? false : throw new IOException($"{target} could not be created (errno {errno}).");
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private const int AlreadyExists = 17; // EEXIST

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);

    private Task<IReadOnlyList<LakeFile>> ListCoreAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var folder = FullPath(prefix);
        IReadOnlyList<LakeFile> files = Directory.Exists(folder)
            ? [.. new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories)
                .Where(f => !f.Name.StartsWith(".tmp-", StringComparison.Ordinal))
                .Select(f => new LakeFile(Path.GetRelativePath(_root, f.FullName).Replace(Path.DirectorySeparatorChar, '/'), f.Length, new DateTimeOffset(f.LastWriteTimeUtc)))
                .OrderBy(f => f.Path, StringComparer.Ordinal)]
            : [];
        return Task.FromResult(files);
    }

    /// <summary>Deletes a file and then the folders it leaves empty (the lake has no folders of its own, as in S3).</summary>
    private Task DeleteCoreAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = FullPath(path);
        File.Delete(full);
        PruneEmpty(Path.GetDirectoryName(full));
        return Task.CompletedTask;
    }

    private void PruneEmpty(string? folder)
    {
        for (; folder is not null && folder.Length > _root.Length && IsEmpty(folder); folder = Path.GetDirectoryName(folder))
        {
            try
            {
                Directory.Delete(folder, recursive: false);
            }
            catch (IOException)
            {
                return; // a writer just put something there
            }
        }
    }

    private Task DeleteFolderCoreAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var folder = FullPath(prefix).TrimEnd(Path.DirectorySeparatorChar);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        PruneEmpty(Path.GetDirectoryName(folder));
        return Task.CompletedTask;
    }

    private static bool IsEmpty(string folder) => Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any();

    private Task<string> WriteTempAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        WriteTempAsync(path, (file, token) => file.WriteAsync(content, token).AsTask(), cancellationToken);

    private async Task<string> WriteTempAsync(string path, Func<FileStream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var target = FullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(target)!, $".tmp-{Guid.NewGuid():N}");
        FileStream OpenTemp()
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            return new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
        }

        FileStream opened;
        try
        {
            opened = OpenTemp();
        }
        catch (DirectoryNotFoundException)
        {
            opened = OpenTemp(); // a delete pruned the empty folder in between: make it again
        }
        await using (var file = opened)
        {
            await write(file, cancellationToken);
            await file.FlushAsync(cancellationToken);
            file.Flush(flushToDisk: true);
        }
        return temp;
    }

    private string FullPath(string path)
    {
        if (path.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(path))
        {
            throw new ArgumentException($"'{path}' is not a relative lake path.", nameof(path));
        }
        return Path.Combine(_root, path.Replace('/', Path.DirectorySeparatorChar));
    }
}
