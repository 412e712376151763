using OpsConsole.Shared.Tables;

namespace OpsConsole.Web.Components.Pages.Tables;

/// <summary>One table's page: its summary, partitions, schema and recent commits.</summary>
public sealed class TableDetailViewModel(ITableService tables, string source, string stream)
{
    public const int HistoryLimit = 50;

    public TableDetail? Detail { get; private set; }

    public IReadOnlyList<TableCommit> History { get; private set; } = [];

    public bool NotFound { get; private set; }

    public string? LoadError { get; private set; }

    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            Detail = await tables.DetailAsync(source, stream, cancellationToken);
            History = await tables.HistoryAsync(source, stream, HistoryLimit, cancellationToken);
            LoadError = null;
        }
        catch (KeyNotFoundException)
        {
            NotFound = true;
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException)
        {
            LoadError = $"The table could not be read: {exception.Message}";
        }
    }
}
