using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Streams;

namespace OpsConsole.Web.Components.Pages.Audit;

/// <summary>The audit log page: the filters, the entries found (newest first) and whether more can be loaded.</summary>
public sealed class AuditViewModel(IAuditLog audit)
{
    public const int PageSize = 200;

    public static IReadOnlyList<string> Streams { get; } = [.. StreamCatalog.All.Select(s => s.ToString())];

    public List<AuditEntry>? Entries { get; private set; }

    public bool More { get; private set; }

    public string? Actor { get; set; }

    public string? Action { get; set; }

    public string? Stream { get; set; }

    /// <summary>From this time (UTC), inclusive.</summary>
    public DateTime? From { get; set; }

    /// <summary>Up to this time (UTC).</summary>
    public DateTime? To { get; set; }

    /// <summary>The first page for the filters.</summary>
    public async Task SearchAsync(CancellationToken cancellationToken = default)
    {
        var page = await audit.QueryAsync(Query(null), cancellationToken);
        Entries = [.. page];
        More = page.Count == PageSize;
    }

    /// <summary>The next page, after the last entry shown.</summary>
    public async Task MoreAsync(CancellationToken cancellationToken = default)
    {
        var page = await audit.QueryAsync(Query(Entries?.LastOrDefault()?.Id), cancellationToken);
        (Entries ??= []).AddRange(page);
        More = page.Count == PageSize;
    }

    public AuditQuery Query(long? before) => new()
    {
        Actor = string.IsNullOrWhiteSpace(Actor) ? null : Actor.Trim(),
        Action = Action,
        Stream = Stream,
        From = From is { } from ? new DateTimeOffset(DateTime.SpecifyKind(from, DateTimeKind.Utc)) : null,
        To = To is { } to ? new DateTimeOffset(DateTime.SpecifyKind(to, DateTimeKind.Utc)) : null,
        Before = before,
        Limit = PageSize,
    };
}
