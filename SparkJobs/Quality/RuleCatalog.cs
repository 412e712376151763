using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OpsConsole.SparkJobs.Quality;

/// <summary>One parameter of a rule type, as the catalog and the README describe it.</summary>
public sealed record RuleParameter(string Name, string Kind, bool Required, string Description, string? Default = null);

/// <summary>A rule type: its name, category, what it checks, its parameters, and how a configured rule is built.</summary>
public sealed record RuleType(string Name, string Category, string Description, IReadOnlyList<RuleParameter> Parameters, Func<RuleArguments, Rule> Create);

/// <summary>
/// Every rule type, the single source of the <c>rules</c> command and of the README's rule reference. Keys every rule
/// takes are in <see cref="CommonParameters"/>.
/// </summary>
public static class RuleCatalog
{
    public static readonly IReadOnlyList<RuleParameter> CommonParameters =
    [
        new("type", "string", true, "the rule type (below)"),
        new("name", "string", false, "unique within the stream; shown in reports and trends", "type_column"),
        new("severity", "string", false, "info, warn or error; only a failing error rule makes the run's quality failed", "warn"),
        new("blocking", "boolean", false, "a failing blocking rule stops the commit: the table and the checkpoint stay as they were and the job exits 3", "false"),
        new("description", "string", false, "why the rule exists, for whoever reads a failure"),
        new("notify", "string", false, "a webhook route of the console (Notifications:Routes, e.g. an owning team's) told when this rule fails: the rule, " +
            "observed value, bounds, failing row ids (never values) and a link to the run"),
        new("where", "expression", false, "a row condition (as in expression): the rule judges only the rows where it holds, e.g. \"status == 'succeeded'\"; " +
            "its metrics and history are kept apart from the same rule's without it"),
    ];

    private static readonly RuleParameter ColumnParameter = new("column", "column", true, "a table column, or a dotted path into the source object");
    private static readonly RuleParameter MaxFraction = new("max_fraction", "number", false, "the fraction of rows allowed to fail (0..1)", "0");
    private static readonly RuleParameter Min = new("min", "number", false, "lower bound, inclusive (min or max is required)");
    private static readonly RuleParameter Max = new("max", "number", false, "upper bound, inclusive (min or max is required)");

    private static readonly Regex EmailPattern = new(@"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static readonly Regex E164Pattern = new(@"^\+[1-9][0-9]{1,14}$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static readonly Regex Iso8601Pattern = new(
        @"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static readonly HashSet<string> Currencies = new(
        ("AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC " +
         "CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD " +
         "JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD " +
         "NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP " +
         "SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG").Split(' '),
        StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string> Countries = new(
        ("AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG " +
         "CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM " +
         "GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC " +
         "LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ " +
         "OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC " +
         "TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW").Split(' '),
        StringComparer.OrdinalIgnoreCase);

    public static readonly IReadOnlyList<RuleType> Types =
    [
        // Completeness
        Row("not_null", "completeness", "The column has a value in every row.", [ColumnParameter],
            a => Check(a, a.Column(), "{0} is not null", v => v is not null, judgeNulls: true)),
        Metric("null_fraction", "completeness", "The fraction of rows where the column is null lies within bounds.", "null_fraction"),
        Row("not_blank", "completeness", "A text value is not empty or only whitespace (nulls are for not_null).", [ColumnParameter],
            a => Check(a, a.Column(), "{0} is not blank", v => !string.IsNullOrWhiteSpace(ValueAccessor.AsText(v)))),

        // Uniqueness
        new("unique", "uniqueness", "No value of the column occurs twice in the run (nulls are not compared).", [ColumnParameter, MaxFraction],
            a => new UniquenessRule(a.Header, [a.Column()], a.Fraction("max_fraction", 0), KeySet.DefaultExactLimit)),
        new("unique_combination", "uniqueness", "No combination of the columns' values occurs twice in the run.",
            [new("columns", "columns", true, "the columns that together identify a row"), MaxFraction],
            a => new UniquenessRule(a.Header, a.ColumnList(), a.Fraction("max_fraction", 0), KeySet.DefaultExactLimit)),
        new("duplicate_fraction", "uniqueness", "A budget for duplicates: the fraction of rows repeating an earlier row's key stays at or below max.",
            [new("columns", "columns", true, "the key"), new("max", "number", true, "the largest allowed fraction of duplicate rows (0..1)")],
            a => new UniquenessRule(a.Header, a.ColumnList(), a.Fraction("max", 0), KeySet.DefaultExactLimit)),
        Metric("distinct_fraction_between", "uniqueness", "Distinct values divided by non-null values (the uniqueness ratio) lies within bounds.", "distinct_fraction"),

        // Validity
        Row("allowed_values", "validity", "The value is one of a set.", [ColumnParameter, new("values", "strings", true, "the allowed values")],
            a =>
            {
                var set = a.List("values").ToHashSet(StringComparer.Ordinal);
                return Check(a, a.Column(), $"{{0}} is one of {Show(set)}", v => set.Contains(ValueAccessor.AsText(v)!));
            }),
        Row("forbidden_values", "validity", "The value is none of a set.", [ColumnParameter, new("values", "strings", true, "the forbidden values")],
            a =>
            {
                var set = a.List("values").ToHashSet(StringComparer.Ordinal);
                return Check(a, a.Column(), $"{{0}} is none of {Show(set)}", v => !set.Contains(ValueAccessor.AsText(v)!));
            }),
        Row("regex", "validity", "The text value matches a regular expression (.NET syntax, anchored with ^ and $ if it must match whole).",
            [ColumnParameter, new("pattern", "string", true, "the regular expression")],
            a =>
            {
                var regex = Pattern(a);
                return Check(a, a.Column(), $"{{0}} matches /{regex}/", v => regex.IsMatch(ValueAccessor.AsText(v)!));
            }),
        Row("length_between", "validity", "The text value's length (in characters) lies within bounds.", [ColumnParameter, Min, Max],
            a =>
            {
                var (min, max) = a.Bounds();
                return Check(a, a.Column(), $"length of {{0}} {Range(min, max)}", v => InRange(ValueAccessor.AsText(v)!.Length, min, max));
            }),
        Row("value_type", "validity", "The field's JSON type in the source object is one of the given kinds (string, number, boolean, object, array).",
            [new("column", "column", true, "a field of the source object, or a dotted path into it"), new("kinds", "strings", true, "the allowed JSON types")],
            a =>
            {
                var kinds = a.List("kinds").ToHashSet(StringComparer.Ordinal);
                if (kinds.FirstOrDefault(k => k is not ("string" or "number" or "boolean" or "object" or "array")) is { } wrong)
                {
                    throw a.Error("kinds", $"'{wrong}' is not a JSON type: use string, number, boolean, object or array");
                }
                var path = a.RequiredScalar("column").Split('.');
                a.NeedRecord();
                return ($"{string.Join('.', path)} is a JSON {string.Join(" or ", kinds.Order(StringComparer.Ordinal))}", (_, record, _) =>
                    ValueAccessor.Find(record, path) is { ValueKind: not JsonValueKind.Null } node ? kinds.Contains(TypeDriftRule.Kind(node.ValueKind)) : null);
            }),
        Row("email", "validity", "The text value looks like an email address (one @, a dot in the domain, no spaces).", [ColumnParameter],
            a => Check(a, a.Column(), "{0} is an email address", v => EmailPattern.IsMatch(ValueAccessor.AsText(v)!))),
        Row("iso_currency", "validity", "The value is an ISO 4217 currency code, in either case (Stripe writes them lower case).", [ColumnParameter],
            a => Check(a, a.Column(), "{0} is an ISO 4217 currency code", v => Currencies.Contains(ValueAccessor.AsText(v)!))),
        Row("iso_country", "validity", "The value is an ISO 3166-1 alpha-2 country code.", [ColumnParameter],
            a => Check(a, a.Column(), "{0} is an ISO 3166-1 alpha-2 country code", v => Countries.Contains(ValueAccessor.AsText(v)!))),
        Row("starts_with", "validity", "The text value starts with a prefix (Stripe ids: ch_, cus_, re_).", [ColumnParameter, new("prefix", "string", true, "the prefix")],
            a =>
            {
                var prefix = a.RequiredScalar("prefix");
                return Check(a, a.Column(), $"{{0}} starts with '{prefix}'", v => ValueAccessor.AsText(v)!.StartsWith(prefix, StringComparison.Ordinal));
            }),
        Row("url", "validity", "The text value is an absolute http or https URL.", [ColumnParameter],
            a => Check(a, a.Column(), "{0} is an http(s) URL",
                v => Uri.TryCreate(ValueAccessor.AsText(v), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")),
        Row("uuid", "validity", "The text value is a UUID in its usual form: 32 hex digits in groups of 8-4-4-4-12 with dashes, either case.", [ColumnParameter],
            a => Check(a, a.Column(), "{0} is a UUID", v => Guid.TryParseExact(ValueAccessor.AsText(v), "D", out _))),
        Row("ip_address", "validity", "The text value is an IPv4 address in dotted decimal (four parts) or an IPv6 address.", [ColumnParameter],
            a => Check(a, a.Column(), "{0} is an IP address", v => IsIpAddress(ValueAccessor.AsText(v)!))),
        Row("e164_phone", "validity", "The text value is a phone number in E.164 form: a +, then 2 to 15 digits, the first not 0, nothing else.", [ColumnParameter],
            a => Check(a, a.Column(), "{0} is an E.164 phone number", v => E164Pattern.IsMatch(ValueAccessor.AsText(v)!))),
        Row("iso8601", "validity",
            "The text value is an ISO 8601 date or date-time: 2026-12-07, 2026-12-07T10:30, 2026-12-07T10:30:00.123Z or with an offset (+02:00), a real day and time.",
            [ColumnParameter],
            a => Check(a, a.Column(), "{0} is an ISO 8601 date or date-time", v => IsIso8601(ValueAccessor.AsText(v)!))),
        Row("no_card_numbers", "validity",
            "The text value holds no payment-card-like number: a run of 13 to 19 digits (single spaces or dashes between them allowed) that passes the Luhn check. " +
            "Failing rows are reported by id only, never by value.",
            [ColumnParameter],
            a => Check(a, a.Column(), "{0} holds no card-like number", v => !HasCardNumber(ValueAccessor.AsText(v)!))),
        Row("json_object", "validity", "The text value is a JSON object (columns such as metadata).", [ColumnParameter],
            a => Check(a, a.Column(), "{0} is a JSON object", v => IsJsonObject(ValueAccessor.AsText(v)!))),
        Row("not_matching_regex", "validity", "The text value does not match a regular expression (.NET syntax): a pattern that must never appear, such as a test key.",
            [ColumnParameter, new("pattern", "string", true, "the regular expression")],
            a =>
            {
                var regex = Pattern(a);
                return Check(a, a.Column(), $"{{0}} does not match /{regex}/", v => !regex.IsMatch(ValueAccessor.AsText(v)!));
            }),
        Row("strftime_format", "validity",
            "The text value is a date or time written in a strftime format, e.g. '%Y-%m-%d %H:%M:%S' (directives %Y %y %m %d %H %I %M %S %f %p %b %B %a %A %%).",
            [ColumnParameter, new("format", "string", true, "the strftime format")],
            a =>
            {
                var format = a.RequiredScalar("format");
                var dotnet = StrftimeToDotnet(a, format);
                return Check(a, a.Column(), $"{{0}} is in the format '{format}'", v => DateTime.TryParseExact(ValueAccessor.AsText(v), dotnet,
                    System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _));
            }),
        Row("date_parseable", "validity", "The text value reads as a date or date-time in any common invariant form (2026-12-07, 12/07/2026 10:30, 7 Dec 2026).",
            [ColumnParameter],
            a => Check(a, a.Column(), "{0} reads as a date", v => DateTimeOffset.TryParse(ValueAccessor.AsText(v), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out _))),
        Row("numeric_text", "validity", "The text value is a number (invariant: -12.50, 3, 1e3), for numbers sent as strings.", [ColumnParameter],
            a => Check(a, a.Column(), "{0} is a number", v => double.TryParse(ValueAccessor.AsText(v), System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))),
        Row("lowercase", "validity", "The text value has no upper-case letter (codes and keys compared as written).", [ColumnParameter],
            a => Check(a, a.Column(), "{0} is lower case", v => !ValueAccessor.AsText(v)!.Any(char.IsUpper))),
        Row("trimmed", "validity", "The text value has no leading or trailing whitespace.", [ColumnParameter],
            a => Check(a, a.Column(), "{0} has no surrounding whitespace", v => ValueAccessor.AsText(v) is var text && text == text!.Trim())),
        Row("printable_ascii", "validity", "The text value holds only printable ASCII (space to ~): no control characters, no look-alike letters.", [ColumnParameter],
            a => Check(a, a.Column(), "{0} is printable ASCII", v => ValueAccessor.AsText(v)!.All(c => c is >= ' ' and <= '~'))),
        Row("luhn_valid", "validity", "The value is 12 to 19 digits (single spaces or dashes between them allowed) that pass the Luhn check (card numbers, IMEIs).",
            [ColumnParameter],
            a => Check(a, a.Column(), "{0} passes the Luhn check", v => IsLuhnNumber(ValueAccessor.AsText(v)!))),
        Row("integer", "validity", "The numeric value is a whole number.", [ColumnParameter],
            a => Check(a, a.NumericColumn(), "{0} is a whole number", v => ValueAccessor.AsNumber(v) is { } n && n == Math.Floor(n))),
        Row("max_decimal_places", "validity", "The value has at most places digits after the decimal point (a number, or a number sent as text).",
            [ColumnParameter, new("places", "integer", true, "the most digits after the point, 0 to 18")],
            a =>
            {
                var places = a.Has("places") ? a.Integer("places", 2, 0, 18) : throw a.Error("places", "is required");
                return Check(a, a.Column(), $"{{0}} has at most {places} decimal places", v => DecimalPlaces(ValueAccessor.AsText(v)!) is { } count && count <= places);
            }),

        // Range and statistics
        Row("value_between", "range", "Each value lies within bounds.", [ColumnParameter, Min, Max],
            a =>
            {
                var (min, max) = a.Bounds();
                return Check(a, a.NumericColumn(), $"{{0}} {Range(min, max)}", v => ValueAccessor.AsNumber(v) is { } n ? InRange(n, min, max) : false);
            }),
        Row("non_negative", "range", "Each value is zero or more.", [ColumnParameter],
            a => Check(a, a.NumericColumn(), "{0} >= 0", v => ValueAccessor.AsNumber(v) >= 0)),
        Row("positive", "range", "Each value is more than zero.", [ColumnParameter],
            a => Check(a, a.NumericColumn(), "{0} > 0", v => ValueAccessor.AsNumber(v) > 0)),
        Metric("min_between", "range", "The column's smallest value lies within bounds.", "min"),
        Metric("max_between", "range", "The column's largest value lies within bounds.", "max"),
        Metric("mean_between", "range", "The column's mean lies within bounds.", "mean"),
        Metric("stddev_between", "range", "The column's (population) standard deviation lies within bounds.", "stddev"),
        new("quantile_between", "range", "A quantile of the column lies within bounds (exact up to 10,000 values, from a uniform sample beyond).",
            [ColumnParameter, new("quantile", "number", true, "the quantile, 0..1 (0.5 is the median)"), Min, Max],
            a =>
            {
                var q = a.Fraction("quantile", 0.5);
                var (min, max) = a.Bounds();
                return new MetricRule(a.Header, MetricOf(a, $"p{Math.Round(q * 100)}:{a.NumericColumn().Name}"), min, max);
            }),
        Metric("sum_between", "range", "The column's sum lies within bounds.", "sum"),
        new("median_between", "range", "The column's median lies within bounds (exact up to 10,000 values, from a uniform sample beyond).", [ColumnParameter, Min, Max],
            a =>
            {
                var (min, max) = a.Bounds();
                return new MetricRule(a.Header, MetricOf(a, $"p50:{a.NumericColumn().Name}"), min, max);
            }),

        // Volume
        new("row_count_between", "volume", "The run's row count lies within bounds.", [Min, Max],
            a =>
            {
                var (min, max) = a.Bounds();
                return new MetricRule(a.Header, MetricOf(a, "row_count"), min, max);
            }),
        new("row_count_change", "volume",
            "The run's volume changes by at most max_change against the mean of the previous runs (per hour of window, so runs of different lengths compare).",
            [new("max_change", "number", true, "the largest relative change, e.g. 0.5 for ±50%"), new("runs", "integer", false, "how many previous runs", "5"),
             new("per_hour", "boolean", false, "compare rows per hour of the run's window rather than rows", "true")],
            a => new AnomalyRule(a.Header, MetricOf(a, a.Boolean("per_hour", true) ? "records_per_hour" : "row_count"), "rate_of_mean",
                a.RequiredNumber("max_change"), 1, a.Integer("runs", 5, 1, AnomalyRule.MaxHistory))),
        new("rejected_records", "volume", "Records that could not become rows (missing id or created, not an object) stay at or below max.",
            [new("max", "number", false, "the largest allowed count", "0")],
            a => new MetricRule(a.Header, MetricOf(a, "rejected"), null, a.Number("max", 0))),

        // Freshness
        new("freshness", "freshness", "The newest created is at most max_lag_seconds before the end of the run's window (a backfill is judged on its own window).",
            [new("max_lag_seconds", "number", true, "the largest allowed lag")],
            a => new MetricRule(a.Header, MetricOf(a, "freshness_seconds"), null, a.RequiredNumber("max_lag_seconds"))),
        Row("not_in_future", "freshness", "A unix-seconds timestamp is not later than the run's clock plus a skew.",
            [new("column", "column", false, "a unix-seconds column", "created"), new("skew_seconds", "number", false, "allowed clock skew", "300")],
            a =>
            {
                var column = a.Has("column") ? a.NumericColumn() : new ValueAccessor("created", a.CreatedColumn, null);
                var limit = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + (long)a.Number("skew_seconds", 300);
                return Check(a, column, "{0} is not in the future", v => ValueAccessor.AsNumber(v) <= limit);
            }),

        // Consistency
        Row("compare_columns", "consistency", "Two columns compare as stated in every row, e.g. amount_refunded <= amount.",
            [new("left", "column", true, "a column"), new("op", "string", true, "==, !=, <, <=, > or >="), new("right", "column", true, "a column")],
            a =>
            {
                var op = a.RequiredScalar("op");
                if (op is not ("==" or "!=" or "<" or "<=" or ">" or ">="))
                {
                    throw a.Error("op", $"'{op}' is not a comparison: use ==, !=, <, <=, > or >=");
                }
                var expression = ParseExpression(a, "left", $"{a.RequiredScalar("left")} {op} {a.RequiredScalar("right")}");
                return (expression.Text, (row, _, _) => expression.Test(row));
            }),
        Row("implies", "consistency", "When one condition holds, another holds too, e.g. when: \"status == 'failed'\" then: \"paid == false\".",
            [new("when", "expression", true, "the condition"), new("then", "expression", true, "what must follow")],
            a =>
            {
                var when = a.Expression("when");
                var then = a.Expression("then");
                return ($"if {when.Text} then {then.Text}", (row, _, _) => when.Test(row) == true ? then.Test(row) : null);
            }),
        Row("equivalent", "consistency", "Two conditions are both true or both false, e.g. refunded iff amount_refunded == amount_captured.",
            [new("left", "expression", true, "a condition"), new("right", "expression", true, "a condition")],
            a =>
            {
                var left = a.Expression("left");
                var right = a.Expression("right");
                return ($"{left.Text} if and only if {right.Text}", (row, _, _) => left.Test(row) is { } l && right.Test(row) is { } r ? l == r : null);
            }),
        Row("sum_of_columns_equals", "consistency", "The columns add up to another column in every row, within a tolerance (subtotal + tax == total).",
            [new("columns", "columns", true, "the columns to add"), new("column", "column", true, "the column their sum must equal"),
             new("tolerance", "number", false, "the largest allowed difference", "0")],
            a =>
            {
                var parts = a.ColumnList();
                foreach (var part in parts.Where(part => !a.IsNumeric(part)))
                {
                    throw a.Error("columns", $"'{part.Name}' is not a number column");
                }
                var total = a.NumericColumn();
                var tolerance = a.Number("tolerance", 0);
                return ($"{string.Join(" + ", parts.Select(p => p.Name))} == {total.Name}", (row, record, _) =>
                {
                    var sum = 0.0;
                    foreach (var part in parts)
                    {
                        if (ValueAccessor.AsNumber(part.Read(row, record)) is not { } value)
                        {
                            return null;
                        }
                        sum += value;
                    }
                    return ValueAccessor.AsNumber(total.Read(row, record)) is { } expected ? Math.Abs(sum - expected) <= tolerance : null;
                });
            }),
        Row("distinct_within_row", "consistency", "The columns' values differ from each other within each row (a payer is not its own payee); nulls are not compared.",
            [new("columns", "columns", true, "two or more columns")],
            a =>
            {
                var columns = a.ColumnList();
                if (columns.Count < 2)
                {
                    throw a.Error("columns", "needs two or more columns");
                }
                return ($"{string.Join(", ", columns.Select(c => c.Name))} differ within a row", (row, record, _) =>
                {
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var column in columns)
                    {
                        if (ValueAccessor.AsText(column.Read(row, record)) is { } text && !seen.Add(text))
                        {
                            return false;
                        }
                    }
                    return true;
                });
            }),

        // Referential
        new("foreign_key", "referential", "Every value exists in a column of another stream's table (e.g. charges.customer in customers.id).",
            [ColumnParameter, new("stream", "stream", true, "the other stream"), new("to_column", "column", false, "the other table's column", "id"), MaxFraction],
            a =>
            {
                var stream = a.RequiredScalar("stream");
                if (!Transform.StreamSchema.Streams.Contains(stream))
                {
                    throw a.Error("stream", $"'{stream}' is not a stream: use {string.Join(", ", Transform.StreamSchema.Streams)}");
                }
                var toColumn = a.Text("to_column") ?? "id";
                if (Transform.StreamSchema.For(stream).Typed.All(c => c.Name != toColumn))
                {
                    throw a.Error("to_column", $"'{toColumn}' is not a column of {stream} (columns: {string.Join(", ", Transform.StreamSchema.For(stream).Typed.Select(c => c.Name))})");
                }
                return new ForeignKeyRule(a.Header, a.Column(), stream, toColumn, a.Fraction("max_fraction", 0));
            }),

        // Distribution
        Metric("distinct_count_between", "distribution", "The number of distinct values lies within bounds.", "distinct_count"),
        new("value_fraction_between", "distribution", "The share of rows holding one value lies within bounds (e.g. status failed under 10%).",
            [ColumnParameter, new("value", "string", true, "the value"), Min, Max],
            a =>
            {
                var (min, max) = a.Bounds();
                return new MetricRule(a.Header, MetricOf(a, $"share:{a.Column().Name}={a.RequiredScalar("value")}"), min, max);
            }),
        new("top_values_stable", "distribution", "The shares of the most common values move little against the previous run (total variation distance).",
            [ColumnParameter, new("top", "integer", false, "how many values to compare", "10"), new("max_distance", "number", false, "0..1", "0.2")],
            a => new StabilityRule(a.Header, a.Column(), a.Integer("top", 10, 1, 1000), a.Fraction("max_distance", 0.2))),

        // Schema
        Row("expected_fields", "schema", "Every source object carries each of the fields (a null value counts as present).",
            [new("fields", "strings", true, "the field names")],
            a =>
            {
                var fields = a.List("fields");
                a.NeedRecord();
                return ($"records carry {string.Join(", ", fields)}", (row, record, _) => fields.All(f => record.TryGetProperty(f, out JsonElement _)));
            }),
        RowWithDetail("no_unknown_fields", "schema", "Source objects carry no field the stream's schema does not know (unknown fields are kept in _extra).",
            [new("allow", "strings", false, "more field names to accept")],
            a =>
            {
                // The transform already finds each record's unknown fields; the rule judges what it found.
                var allowed = (a.Has("allow") ? a.List("allow") : []).ToHashSet(StringComparer.Ordinal);
                var seen = new SortedSet<string>(StringComparer.Ordinal);
                return ("no fields outside the schema", (_, _, unknown) =>
                {
                    var ok = true;
                    foreach (var name in unknown ?? [])
                    {
                        if (!allowed.Contains(name))
                        {
                            ok = false;
                            if (seen.Count < 50)
                            {
                                seen.Add(name);
                            }
                        }
                    }
                    return ok;
                }, () => seen.Count > 0 ? $"unknown fields: {string.Join(", ", seen)}" : null);
            }),
        new("type_drift", "schema", "No field of the source objects changes its JSON type against the previous run (a number turning into a string).", [],
            a => new TypeDriftRule(a.Header, a.History.Select(r => r.Distributions.GetValueOrDefault("kinds")).FirstOrDefault(d => d is not null))),

        // Custom
        Row("expression", "custom", "A row expression holds: columns, numbers, 'strings', + - * / %, comparisons, and/or/not, is null, in (...), len lower upper abs coalesce.",
            [new("expression", "expression", true, "the condition every row must meet")],
            a =>
            {
                var expression = a.Expression("expression");
                return (expression.Text, (row, _, _) => expression.Test(row));
            }),

        // Anomaly detection
        new("anomaly_zscore", "anomaly", "A metric lies within threshold standard deviations of its mean over the previous runs.",
            AnomalyParameters(new("threshold", "number", false, "standard deviations", "3")),
            a => new AnomalyRule(a.Header, a.Metric(), "zscore", a.Number("threshold", 3), a.Integer("min_history", 5, 2, AnomalyRule.MaxHistory), a.Integer("history", 30, 2, AnomalyRule.MaxHistory))),
        new("anomaly_rate_of_change", "anomaly", "A metric changes by at most max_change (relative) against the previous run.",
            AnomalyParameters(new("max_change", "number", false, "the largest relative change", "0.5")),
            a => new AnomalyRule(a.Header, a.Metric(), "rate_of_change", a.Number("max_change", 0.5), a.Integer("min_history", 1, 1, AnomalyRule.MaxHistory), 1)),
        new("anomaly_mad", "anomaly", "A metric lies within threshold robust deviations (1.4826 × median absolute deviation) of its median over the previous runs; one past outlier does not widen the band.",
            AnomalyParameters(new("threshold", "number", false, "robust deviations", "3.5")),
            a => new AnomalyRule(a.Header, a.Metric(), "mad", a.Number("threshold", 3.5), a.Integer("min_history", 5, 2, AnomalyRule.MaxHistory), a.Integer("history", 30, 2, AnomalyRule.MaxHistory))),
        new("anomaly_absolute_change", "anomaly",
            "A metric moves by at most max_increase up and max_decrease down, in its own units, against the previous run. Use it for metrics that move by a known " +
            "step (a count growing by about the same amount each run), where a relative change is too loose when the metric is large and too tight when small.",
            [new("metric", "metric", true, "what to watch (see Metrics below)"), new("max_increase", "number", false, "the largest rise (max_increase or max_decrease is required)"),
             new("max_decrease", "number", false, "the largest fall"), new("min_history", "integer", false, "earlier committed runs needed before judging", "1")],
            a =>
            {
                var (up, down) = (a.Number("max_increase"), a.Number("max_decrease"));
                if (up is null && down is null)
                {
                    throw a.Error("max_increase", "max_increase or max_decrease is required");
                }
                if (up < 0 || down < 0)
                {
                    throw a.Error(up < 0 ? "max_increase" : "max_decrease", "must not be negative");
                }
                return new AnomalyRule(a.Header, a.Metric(), "absolute_change", 0, a.Integer("min_history", 1, 1, AnomalyRule.MaxHistory), 1, down, up);
            }),
        new("anomaly_threshold", "anomaly",
            "A metric lies within a fixed band, whatever the history (Deequ's simple threshold). Use it for limits known in advance, on any metric, " +
            "including the run's own (records_per_hour, rejected) and ones no other rule bounds.",
            [new("metric", "metric", true, "what to watch (see Metrics below)"), Min, Max],
            a =>
            {
                var (min, max) = a.Bounds();
                return new AnomalyRule(a.Header, a.Metric(), "threshold", 0, 0, 1, min, max);
            }),
        new("anomaly_online_normal", "anomaly",
            "A metric lies within threshold deviations of a running mean and variance over the previous runs, where runs that were anomalous when they came " +
            "are left out of the update. Use it when past incidents are in the history (they do not widen the band, as with the z-score) and the level drifts slowly.",
            AnomalyParameters(new("threshold", "number", false, "deviations", "3")),
            a => new AnomalyRule(a.Header, a.Metric(), "online_normal", a.Number("threshold", 3), a.Integer("min_history", 5, 2, AnomalyRule.MaxHistory),
                a.Integer("history", 30, 2, AnomalyRule.MaxHistory))),
        new("anomaly_holt_winters", "anomaly",
            "A metric lies within threshold one-step errors of an additive Holt-Winters forecast (level, trend and a season of period runs: 7 is a week of daily runs). " +
            "Use it for daily metrics with a weekly rhythm and a trend (weekend dips, growth), which a band around a mean flags every weekend or misses. Needs two seasons of history.",
            [new("metric", "metric", true, "what to watch (see Metrics below)"), new("threshold", "number", false, "one-step errors", "3"),
             new("period", "integer", false, "runs in a season (7: a week of daily runs)", "7"),
             new("min_history", "integer", false, "earlier committed runs needed before judging, at least two seasons", "2 × period"),
             new("history", "integer", false, "how many earlier runs the model is fitted to", "100")],
            a =>
            {
                var period = a.Integer("period", 7, 2, AnomalyRule.MaxHistory / 2);
                var history = a.Integer("history", AnomalyRule.MaxHistory, 2 * period, AnomalyRule.MaxHistory);
                return new AnomalyRule(a.Header, a.Metric(), "holt_winters", a.Number("threshold", 3), a.Integer("min_history", 2 * period, 2 * period, AnomalyRule.MaxHistory),
                    history, period: period);
            }),
    ];

    public static RuleType? Find(string name) => Types.FirstOrDefault(t => t.Name == name);

    /// <summary>The catalog as plain text, for the terminal.</summary>
    public static string Text()
    {
        var text = new StringBuilder();
        text.AppendLine($"{Types.Count} rule types. Every rule also takes: {string.Join(", ", CommonParameters.Select(p => p.Name))}.");
        foreach (var group in Types.GroupBy(t => t.Category))
        {
            text.AppendLine().AppendLine(group.Key);
            foreach (var type in group)
            {
                text.AppendLine($"  {type.Name}: {type.Description}");
                foreach (var parameter in type.Parameters)
                {
                    text.AppendLine($"      {parameter.Name} ({parameter.Kind}{(parameter.Required ? ", required" : parameter.Default is { } d ? $", default {d}" : "")}): {parameter.Description}");
                }
            }
        }
        text.AppendLine().AppendLine($"Metrics (for anomaly rules): {string.Join(", ", Quality.Metric.RunMetrics)}; per column as kind:column with kind one of {string.Join(", ", Quality.Metric.ColumnMetrics)}, or share:column=value.");
        return text.ToString();
    }

    /// <summary>The catalog as the README's rule reference (Markdown).</summary>
    public static string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine($"{Types.Count} rule types. Keys every rule takes:").AppendLine();
        Table(text, CommonParameters);
        foreach (var group in Types.GroupBy(t => t.Category))
        {
            text.AppendLine().AppendLine($"#### {char.ToUpperInvariant(group.Key[0])}{group.Key[1..]}").AppendLine();
            foreach (var type in group)
            {
                text.AppendLine($"- **`{type.Name}`**: {type.Description}" + (type.Parameters.Count == 0 ? "" :
                    " Keys: " + string.Join("; ", type.Parameters.Select(p =>
                        $"`{p.Name}` ({p.Kind}{(p.Required ? ", required" : p.Default is { } d ? $", default `{d}`" : "")}) {p.Description}")) + "."));
            }
        }
        text.AppendLine().AppendLine($"Metrics for the anomaly rules: {string.Join(", ", Quality.Metric.RunMetrics.Select(m => $"`{m}`"))}; per column " +
                                     $"`kind:column` with kind one of {string.Join(", ", Quality.Metric.ColumnMetrics.Select(m => $"`{m}`"))}; or `share:column=value`.");
        return text.ToString();
    }

    private static void Table(StringBuilder text, IEnumerable<RuleParameter> parameters)
    {
        text.AppendLine("| key | type | default | meaning |").AppendLine("|---|---|---|---|");
        foreach (var p in parameters)
        {
            text.AppendLine($"| `{p.Name}` | {p.Kind} | {(p.Required ? "required" : p.Default is { } d ? $"`{d}`" : "")} | {p.Description} |");
        }
    }

    private static RuleParameter[] AnomalyParameters(RuleParameter strategy) =>
    [
        new("metric", "metric", true, "what to watch, e.g. records_per_hour, mean:amount, null_fraction:customer (see Metrics below)"), strategy,
        new("min_history", "integer", false, "earlier committed runs needed before judging (skipped until then)", strategy.Name == "max_change" ? "1" : "5"),
        .. strategy.Name == "max_change" ? Array.Empty<RuleParameter>() : [new RuleParameter("history", "integer", false, "how many earlier runs form the baseline", "30")],
    ];

    /// <summary>The rule's <c>pattern</c> as a regular expression (a second at most per value), or an error naming the key.</summary>
    private static Regex Pattern(RuleArguments a)
    {
        var pattern = a.RequiredScalar("pattern");
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException exception)
        {
            throw a.Error("pattern", $"'{pattern}' is not a regular expression: {exception.Message}");
        }
    }

    /// <summary>A strftime format as a .NET exact format; a directive .NET cannot read exactly (%z, %j, %U) is refused naming the key.</summary>
    private static string StrftimeToDotnet(RuleArguments a, string format)
    {
        var dotnet = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                dotnet.Append(char.IsAsciiLetter(format[i]) || format[i] is '\'' or '"' or '\\' or ':' or '/' ? $"\\{format[i]}" : format[i].ToString());
                continue;
            }
            if (++i == format.Length)
            {
                throw a.Error("format", $"'{format}' ends with a lone %");
            }
            dotnet.Append(format[i] switch
            {
                'Y' => "yyyy",
                'y' => "yy",
                'm' => "MM",
                'd' => "dd",
                'H' => "HH",
                'I' => "hh",
                'M' => "mm",
                'S' => "ss",
                'f' => "ffffff",
                'p' => "tt",
                'b' => "MMM",
                'B' => "MMMM",
                'a' => "ddd",
                'A' => "dddd",
                '%' => "\\%",
                var other => throw a.Error("format", $"'%{other}' is not a supported directive: use %Y %y %m %d %H %I %M %S %f %p %b %B %a %A or %%"),
            });
        }
        return dotnet.ToString();
    }

    /// <summary>Digits after the decimal point of a number written invariantly ("12.340" has 3); null when it is not a number.</summary>
    private static int? DecimalPlaces(string text)
    {
        if (!decimal.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            return null;
        }
        var mantissa = text.Split('e', 'E')[0];
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        return point < 0 ? 0 : mantissa.Length - point - 1;
    }

    /// <summary>The whole text is 12 to 19 digits, single spaces or dashes between them allowed, passing the Luhn check.</summary>
    private static bool IsLuhnNumber(string text)
    {
        Span<int> digits = stackalloc int[19];
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsAsciiDigit(text[i]))
            {
                if (count == digits.Length)
                {
                    return false;
                }
                digits[count++] = text[i] - '0';
            }
            else if (text[i] is not (' ' or '-') || i == 0 || i == text.Length - 1 || !char.IsAsciiDigit(text[i - 1]))
            {
                return false;
            }
        }
        return count >= 12 && PassesLuhn(digits[..count]);
    }

    /// <summary>IPv6, or IPv4 written as four dotted decimal parts (the parser alone also takes "1" or "1.2" as IPv4).</summary>
    private static bool IsIpAddress(string text) =>
        System.Net.IPAddress.TryParse(text, out var address) && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? text.Contains(':', StringComparison.Ordinal)
            : text.Count(c => c == '.') == 3 && text.Split('.').All(part => part.Length is > 0 and <= 3 && part.All(char.IsAsciiDigit)));

    /// <summary>The ISO 8601 shape, and a date and time that exist (no month 13, no February 30, no hour 24).</summary>
    private static bool IsIso8601(string text) =>
        Iso8601Pattern.IsMatch(text)
        && DateTimeOffset.TryParse(text.Length == 10 ? text + "T00:00:00Z" : text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out _);

    /// <summary>
    /// Whether the text holds a run of digits (single spaces or dashes between them allowed) of 13 to 19 digits in all
    /// that passes the Luhn check; a longer run is not card-like.
    /// </summary>
    private static bool HasCardNumber(string text)
    {
        Span<int> digits = stackalloc int[19];
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                i++;
                continue;
            }
            var count = 0;
            while (i < text.Length)
            {
                if (char.IsAsciiDigit(text[i]))
                {
                    if (count < digits.Length)
                    {
                        digits[count] = text[i] - '0';
                    }
                    count++;
                    i++;
                }
                else if (text[i] is ' ' or '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))
                {
                    i++;
                }
                else
                {
                    break;
                }
            }
            if (count is >= 13 and <= 19 && PassesLuhn(digits[..count]))
            {
                return true;
            }
        }
        return false;
    }

    private static bool PassesLuhn(ReadOnlySpan<int> digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var digit = digits[digits.Length - 1 - i];
            if (i % 2 == 1)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }
            sum += digit;
        }
        return sum % 10 == 0;
    }

    private static RuleType Row(string name, string category, string description, RuleParameter[] parameters,
        Func<RuleArguments, (string Describe, RowCheck Check)> build) =>
        new(name, category, description, [.. parameters, MaxFraction], a =>
        {
            var (describe, check) = build(a);
            return new RowRule(a.Header, describe, check, a.Fraction("max_fraction", 0), a.ReadsRecord);
        });

    /// <summary>A row rule whose failure message adds <c>Detail</c> (what it saw) to its description.</summary>
    private static RuleType RowWithDetail(string name, string category, string description, RuleParameter[] parameters,
        Func<RuleArguments, (string Describe, RowCheck Check, Func<string?> Detail)> build) =>
        new(name, category, description, [.. parameters, MaxFraction], a =>
        {
            var (describe, check, detail) = build(a);
            return new RowRule(a.Header, describe, check, a.Fraction("max_fraction", 0), a.ReadsRecord, detail);
        });

    private static RuleType Metric(string name, string category, string description, string kind) =>
        new(name, category, description, [ColumnParameter, Min, Max], a =>
        {
            var (min, max) = a.Bounds();
            return new MetricRule(a.Header, MetricOf(a, $"{kind}:{a.Column().Name}"), min, max);
        });

    private static Metric MetricOf(RuleArguments a, string key) => a.MetricOf("column", key);

    /// <summary>A row check on one value; a null value is not judged unless <paramref name="judgeNulls"/>.</summary>
    private static (string, RowCheck) Check(RuleArguments a, ValueAccessor column, string describe, Func<object?, bool> test,
        bool judgeNulls = false) =>
        (describe.Replace("{0}", column.Name, StringComparison.Ordinal), (row, record, _) =>
        {
            var value = column.Read(row, record);
            return value is null && !judgeNulls ? null : test(value);
        });

    private static RowExpression ParseExpression(RuleArguments a, string key, string text)
    {
        try
        {
            return RowExpression.Parse(text, a.Columns);
        }
        catch (FormatException exception)
        {
            throw a.Error(key, $"'{text}': {exception.Message}");
        }
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool InRange(double value, double? min, double? max) => value >= (min ?? double.NegativeInfinity) && value <= (max ?? double.PositiveInfinity);

    private static string Range(double? min, double? max) => (min, max) switch
    {
        ({ } a, { } b) => $"between {Rule.Number(a)} and {Rule.Number(b)}",
        ({ } a, null) => $">= {Rule.Number(a)}",
        _ => $"<= {Rule.Number(max)}",
    };

    private static string Show(IEnumerable<string> values) => "{" + string.Join(", ", values.Order(StringComparer.Ordinal).Take(10)) + (values.Count() > 10 ? ", ..." : "") + "}";
}
