using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Streams;

namespace OpsConsole.Web.Components.Pages.Audit;

/// <summary>The audit log page: the filters, and one page of the entries that match them (the store pages and counts).</summary>
public sealed class AuditViewModel(IAuditLog audit)
{
    public static IReadOnlyList<string> Streams { get; } = [.. StreamCatalog.All.Select(s => s.ToString())];

    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    /// <summary>How many entries match the filters in all.</summary>
    public int Total { get; private set; }

    public bool Loaded { get; private set; }

    /// <summary>Why the entries could not be read; null when they were.</summary>
    public string? Error { get; private set; }

    public string? Actor { get; set; }

    public string? Action { get; set; }

    public string? Stream { get; set; }

    /// <summary>From this time (UTC), inclusive.</summary>
    public DateTime? From { get; set; }

    /// <summary>Up to this time (UTC).</summary>
    public DateTime? To { get; set; }

    public bool Filtered => !string.IsNullOrWhiteSpace(Actor) || Action is not null || Stream is not null || From is not null || To is not null;

    /// <summary>One page for the filters: newest first unless <paramref name="oldestFirst"/>.</summary>
    public async Task LoadAsync(int page, int pageSize, bool oldestFirst, CancellationToken cancellationToken = default)
    {
        try
        {
            var query = Query(page, pageSize, oldestFirst);
            Entries = await audit.QueryAsync(query, cancellationToken);
            Total = await audit.CountAsync(query, cancellationToken);
            Error = null;
        }
        catch (IOException exception)
        {
            Error = $"The audit log could not be read: {exception.Message}";
        }
        finally
        {
            Loaded = true;
        }
    }

    public AuditQuery Query(int page, int pageSize, bool oldestFirst) => new()
    {
        Actor = string.IsNullOrWhiteSpace(Actor) ? null : Actor.Trim(),
        Action = Action,
        Stream = Stream,
        From = From is { } from ? new DateTimeOffset(DateTime.SpecifyKind(from, DateTimeKind.Utc)) : null,
        To = To is { } to ? new DateTimeOffset(DateTime.SpecifyKind(to, DateTimeKind.Utc)) : null,
        Offset = page * pageSize,
        Limit = pageSize,
        OldestFirst = oldestFirst,
    };
}
