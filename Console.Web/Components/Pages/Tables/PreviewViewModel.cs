using System.Globalization;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Tables;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Web.Components.Pages.Tables;

/// <summary>A table's rows on its page: by <c>dt</c>, by <c>id</c>, as of a version; each wrong filter named beside its field.</summary>
public sealed class PreviewViewModel(ITableService tables, string source, string stream, CallerInfo caller)
{
    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);

    public string? Dt { get; set; }

    public string? Id { get; set; }

    public long? Version { get; set; }

    public TablePreview? Result { get; private set; }

    public bool Busy { get; private set; }

    public string? Error(string field) => _errors.GetValueOrDefault(field);

    public async Task LoadAsync()
    {
        _errors.Clear();
        Busy = true;
        try
        {
            Result = await tables.PreviewAsync(source, stream, new PreviewQuery
            {
                Version = Version,
                Dt = string.IsNullOrWhiteSpace(Dt) ? null : Dt.Trim(),
                Id = string.IsNullOrWhiteSpace(Id) ? null : Id.Trim(),
            }, caller);
        }
        catch (InvalidFieldException exception)
        {
            _errors[exception.Field] = exception.Message;
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException)
        {
            _errors[""] = exception.Message;
        }
        finally
        {
            Busy = false;
        }
    }

    /// <summary>A value as the grid shows it: times in UTC ISO 8601, numbers invariant.</summary>
    public static string Show(object? value) => value switch
    {
        null => "",
        DateTime time => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
