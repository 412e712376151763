namespace OpsConsole.Shared.Lake.Storage;

/// <summary>
/// Where the lake's files live: a local folder by default, an S3 bucket in production. Paths are relative and use
/// '/'. Writes are atomic (a reader sees the whole file or none of it); <see cref="PutIfAbsentAsync"/> is the
/// conditional write the commit log relies on.
/// </summary>
public interface ILakeStorage
{
    /// <summary>A description for logs and errors (never credentials).</summary>
    string Location { get; }

    Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>The file as a stream to read once (a large file is never read whole); null when there is none.</summary>
    Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Writes the whole file atomically, replacing any file there.</summary>
    Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the stream's content (read to its end) atomically, replacing any file there, without holding it whole in
    /// memory: a file of any size costs a bounded buffer.
    /// </summary>
    Task WriteAsync(string path, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Writes the file only if none exists there; false when one does (someone else won).</summary>
    Task<bool> PutIfAbsentAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>Relative paths of the files under <paramref name="prefix"/>, in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// The files under <paramref name="prefix"/> with their size and last write time, in ordinal order of path: what
    /// table maintenance needs to tell a file a crash left behind long ago from one a writer is about to commit.
    /// </summary>
    Task<IReadOnlyList<LakeFile>> ListFilesAsync(string prefix, CancellationToken cancellationToken = default);

    Task DeleteAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Deletes everything under the folder <paramref name="prefix"/>, including what a crashed write left half-done.</summary>
    Task DeleteFolderAsync(string prefix, CancellationToken cancellationToken = default);
}

/// <summary>A file in the lake: its relative path, size in bytes and last write time.</summary>
public sealed record LakeFile(string Path, long Size, DateTimeOffset Modified);
