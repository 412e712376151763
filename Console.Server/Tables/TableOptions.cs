namespace OpsConsole.Server.Tables;

/// <summary>The Tables page's settings (<c>Tables</c> section).</summary>
public sealed class TableOptions
{
    public const string Section = "Tables";

    /// <summary>
    /// Columns holding personal data, masked in a table's preview unless the caller is an admin (names compared
    /// ignoring case). <c>_extra</c> is among them by default: it keeps the source's fields the schema does not map,
    /// such as <c>billing_details</c>, <c>shipping</c> and <c>address</c>.
    /// </summary>
    /// <remarks>Null until configured (a configured list replaces the default whole; the binder would append to a list it found filled).</remarks>
    public string[]? PersonalColumns { get; set; }

    public static IReadOnlyList<string> DefaultPersonalColumns { get; } = ["email", "name", "phone", "address", "shipping", "billing_details", "receipt_email", "_extra"];

    public bool IsPersonal(string column) => (PersonalColumns ?? DefaultPersonalColumns).Contains(column, StringComparer.OrdinalIgnoreCase);
}
