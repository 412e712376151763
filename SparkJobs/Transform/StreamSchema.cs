using OpsConsole.Shared.Lake.Parquet;

namespace OpsConsole.SparkJobs.Transform;

/// <summary>
/// A stream's table: the source fields that become typed columns, a typed UTC timestamp beside each unix-seconds
/// field (<c>created_at</c> beside <c>created</c>), the fields known to exist in the source's objects (kept in
/// <c>_extra</c> without a report), and the columns every table has (<c>_extra</c>, <c>_run_id</c>,
/// <c>_ingested_at</c>). Fields neither typed nor known are unknown: kept in <c>_extra</c> and reported.
/// <paramref name="UnixSeconds"/> names the unix-seconds fields (null: <c>created</c>; empty: none, as tables were
/// before the timestamps were added).
/// </summary>
public sealed record StreamSchema(string Stream, IReadOnlyList<ParquetColumn> Typed, IReadOnlySet<string> KnownUntyped, IReadOnlyList<string>? UnixSeconds = null)
{
    public const string Extra = "_extra";
    public const string RunId = "_run_id";
    public const string IngestedAt = "_ingested_at";

    // Get-only, so a `with` cannot change what the columns below were computed from.
    public string Stream { get; } = Stream;

    public IReadOnlyList<ParquetColumn> Typed { get; } = Typed;

    public IReadOnlyList<string>? UnixSeconds { get; } = UnixSeconds;

    /// <summary>Each unix-seconds field's place among the typed columns and its timestamp column (nullable: files written before it lack it).</summary>
    public IReadOnlyList<(int Source, ParquetColumn Column)> Timestamps { get; } = TimestampsOf(Stream, Typed, UnixSeconds);

    /// <summary>The table's columns: the typed ones, their timestamps, then <c>_extra</c>, <c>_run_id</c>, <c>_ingested_at</c>.</summary>
    public IReadOnlyList<ParquetColumn> Columns { get; } =
    [
        .. Typed,
        .. TimestampsOf(Stream, Typed, UnixSeconds).Select(t => t.Column),
        new ParquetColumn(Extra, ParquetColumnType.String),
        new ParquetColumn(RunId, ParquetColumnType.String, Nullable: false),
        new ParquetColumn(IngestedAt, ParquetColumnType.TimestampMicros, Nullable: false),
    ];

    public static StreamSchema Charges { get; } = new("charges",
    [
        new("id", ParquetColumnType.String, Nullable: false),
        new("created", ParquetColumnType.Int64, Nullable: false),
        new("amount", ParquetColumnType.Int64),
        new("amount_captured", ParquetColumnType.Int64),
        new("amount_refunded", ParquetColumnType.Int64),
        new("currency", ParquetColumnType.String),
        new("customer", ParquetColumnType.String),
        new("status", ParquetColumnType.String),
        new("paid", ParquetColumnType.Boolean),
        new("captured", ParquetColumnType.Boolean),
        new("refunded", ParquetColumnType.Boolean),
        new("disputed", ParquetColumnType.Boolean),
        new("livemode", ParquetColumnType.Boolean),
        new("payment_intent", ParquetColumnType.String),
        new("balance_transaction", ParquetColumnType.String),
        new("description", ParquetColumnType.String),
        new("failure_code", ParquetColumnType.String),
        new("failure_message", ParquetColumnType.String),
        new("metadata", ParquetColumnType.String),
    ],
    new HashSet<string>(StringComparer.Ordinal)
    {
        "object", "application", "application_fee", "application_fee_amount", "billing_details", "calculated_statement_descriptor",
        "failure_balance_transaction", "fraud_details", "on_behalf_of", "outcome", "payment_method", "payment_method_details",
        "receipt_email", "receipt_number", "receipt_url", "refunds", "review", "shipping", "source_transfer",
        "statement_descriptor", "statement_descriptor_suffix", "transfer_data", "transfer_group", "invoice", "source",
    });

    public static StreamSchema Customers { get; } = new("customers",
    [
        new("id", ParquetColumnType.String, Nullable: false),
        new("created", ParquetColumnType.Int64, Nullable: false),
        new("email", ParquetColumnType.String),
        new("name", ParquetColumnType.String),
        new("currency", ParquetColumnType.String),
        new("balance", ParquetColumnType.Int64),
        new("delinquent", ParquetColumnType.Boolean),
        new("livemode", ParquetColumnType.Boolean),
        new("description", ParquetColumnType.String),
        new("phone", ParquetColumnType.String),
        new("metadata", ParquetColumnType.String),
    ],
    new HashSet<string>(StringComparer.Ordinal)
    {
        "object", "address", "default_source", "discount", "invoice_prefix", "invoice_settings", "next_invoice_sequence",
        "preferred_locales", "shipping", "tax_exempt", "test_clock",
    });

    public static StreamSchema Refunds { get; } = new("refunds",
    [
        new("id", ParquetColumnType.String, Nullable: false),
        new("created", ParquetColumnType.Int64, Nullable: false),
        new("amount", ParquetColumnType.Int64),
        new("charge", ParquetColumnType.String),
        new("currency", ParquetColumnType.String),
        new("payment_intent", ParquetColumnType.String),
        new("reason", ParquetColumnType.String),
        new("status", ParquetColumnType.String),
        new("balance_transaction", ParquetColumnType.String),
        new("metadata", ParquetColumnType.String),
    ],
    new HashSet<string>(StringComparer.Ordinal)
    {
        "object", "destination_details", "livemode", "receipt_number", "source_transfer_reversal", "transfer_reversal",
    });

    /// <summary>Where <c>_extra</c> is in a row; <c>_run_id</c> and <c>_ingested_at</c> follow it.</summary>
    public int ExtraIndex => Typed.Count + Timestamps.Count;

    /// <summary>Sets each timestamp column of <paramref name="row"/> from its unix-seconds field (a row from a file written before it had them).</summary>
    public void FillTimestamps(object?[] row)
    {
        for (var t = 0; t < Timestamps.Count; t++)
        {
            row[Typed.Count + t] = row[Timestamps[t].Source] is long seconds ? seconds * 1_000_000 : null;
        }
    }

    private static List<(int Source, ParquetColumn Column)> TimestampsOf(string stream, IReadOnlyList<ParquetColumn> typed, IReadOnlyList<string>? unixSeconds) =>
        [.. (unixSeconds ?? ["created"]).Select(name => (typed.ToList().FindIndex(c => c.Name == name && c.Type == ParquetColumnType.Int64) is var i and >= 0 ? i
            : throw new ArgumentException($"The {stream} table has no int64 column {name} to time.", nameof(unixSeconds)),
            new ParquetColumn($"{name}_at", ParquetColumnType.TimestampMicros)))];

    public static IReadOnlyList<string> Streams { get; } = Shared.Streams.StreamCatalog.Names();

    /// <summary>A column's place in <see cref="Columns"/> (and so in a row).</summary>
    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i].Name == column)
            {
                return i;
            }
        }
        throw new ArgumentException($"The {Stream} table has no column {column}.", nameof(column));
    }

    public static StreamSchema For(string stream) => stream switch
    {
        "charges" => Charges,
        "customers" => Customers,
        "refunds" => Refunds,
        _ => throw new ArgumentException($"Unknown stream '{stream}': use charges, customers or refunds.", nameof(stream)),
    };
}
