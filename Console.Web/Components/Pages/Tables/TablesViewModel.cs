using OpsConsole.Shared.Tables;

namespace OpsConsole.Web.Components.Pages.Tables;

/// <summary>The Tables page: every stream's table as its Delta log describes it.</summary>
public sealed class TablesViewModel(ITableService tables)
{
    public IReadOnlyList<TableSummary>? Rows { get; private set; }

    /// <summary>Why the tables could not be read; null when they were.</summary>
    public string? LoadError { get; private set; }

    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            Rows = await tables.ListAsync(cancellationToken);
            LoadError = null;
        }
        catch (IOException exception)
        {
            Rows ??= [];
            LoadError = $"The tables could not be read: {exception.Message}";
        }
    }
}
