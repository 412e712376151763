using System.Globalization;
using System.Text;
using OpsConsole.Shared.Lake.Parquet;
using OpsConsole.Shared.Quality;
using OpsConsole.SparkJobs.Transform;

namespace OpsConsole.SparkJobs.Quality;

/// <summary>
/// Suggests a stream's rules from its table, in one pass with bounded memory: per column, completeness, distinct
/// values (exact up to a limit, then a sketch), the value set of a low-cardinality column, a number column's range, a
/// text column's shared prefix, and which formats every value has (judged by the catalog's own rules in the same pass,
/// so a suggested format rule passes on the data it came from). Each suggestion carries what was observed.
/// </summary>
public sealed class RuleSuggester
{
    /// <summary>A column with at most this many distinct values (and ten rows a value) gets an allowed_values rule.</summary>
    public const int MaxValueSet = 10;

    private const int ExactDistinct = 100_000;
    private static readonly string[] Formats = ["email", "url", "uuid", "iso_currency", "iso_country"];

    private readonly StreamSchema _schema;
    private readonly List<Profile> _profiles;
    private readonly QualityEvaluator _formats;
    private readonly IReadOnlyList<RuleHeader> _formatRules;
    private long _rows;

    public RuleSuggester(StreamSchema schema)
    {
        _schema = schema;
        var skipped = new HashSet<string>(StringComparer.Ordinal) { StreamSchema.RunId, "_extra" };
        _profiles = [.. schema.Typed.Select((column, index) => (column, index))
            .Where(c => !skipped.Contains(c.column.Name) && c.column.Type is ParquetColumnType.String or ParquetColumnType.Int64 or ParquetColumnType.Double or ParquetColumnType.Boolean)
            .Select(c => new Profile(c.column, c.index, c.column.Name == "id" ? KeySet.DefaultExactLimit : ExactDistinct))];
        var candidates = new StringBuilder("rules:\n");
        foreach (var profile in _profiles.Where(p => p.Column.Type == ParquetColumnType.String))
        {
            foreach (var format in Formats)
            {
                candidates.Append(CultureInfo.InvariantCulture, $"  - type: {format}\n    column: {profile.Column.Name}\n");
            }
        }
        var config = QualityConfig.Parse(candidates.ToString(), "the format candidates", schema);
        _formatRules = config.Rules;
        _formats = new QualityEvaluator(config.Build([]), schema.IndexOf("id"));
    }

    public long Rows => _rows;

    public void Observe(object?[] row)
    {
        _rows++;
        foreach (var profile in _profiles)
        {
            profile.Observe(row[profile.Index]);
        }
        _formats.Observe(row, default);
    }

    /// <summary>The suggested rules file: YAML that <c>rules --check</c> accepts, each rule under a comment with what suggested it.</summary>
    public async Task<string> YamlAsync(string source, long version, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var report = await _formats.FinishAsync("suggest", source, _schema.Stream, new QualityContext
        {
            Rows = _rows, Rejected = 0, Now = at.ToUnixTimeSeconds(), WindowFrom = 0, WindowTo = 0, History = [],
            ReadColumn = (_, _, _) => Task.FromResult<IAsyncEnumerable<string>?>(null),
        }, cancellationToken);
        var passed = report.Rules.Where(r => r.Outcome == RuleOutcome.Passed).Select(r => (r.Type, r.Column)).ToHashSet();
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"# Rules suggested for {source}/{_schema.Stream} from its table (version {version}, {_rows:N0} rows) at {at:u}.\n");
        yaml.Append("# Each rule says what suggested it. Review them: a suggestion describes the data as it is, not as it should be.\n");
        yaml.Append("rules:\n");
        foreach (var profile in _profiles)
        {
            foreach (var (comment, rule) in profile.Suggest(_rows, format => passed.Contains((format, profile.Column.Name))))
            {
                yaml.Append(CultureInfo.InvariantCulture, $"  # {comment}\n  - {rule.Replace("\n", "\n    ", StringComparison.Ordinal)}\n");
            }
        }
        return yaml.ToString();
    }

    /// <summary>What one pass learns about one column.</summary>
    private sealed class Profile(ParquetColumn column, int index, int exactDistinct)
    {
        private readonly KeySet _distinct = new(exactDistinct);
        private Dictionary<string, long>? _values = new(StringComparer.Ordinal);
        private long _nonNull;
        private double _min = double.PositiveInfinity, _max = double.NegativeInfinity;
        private string? _prefix;
        private bool _prefixBroken;

        public ParquetColumn Column => column;

        public int Index => index;

        public void Observe(object? value)
        {
            if (value is null)
            {
                return;
            }
            _nonNull++;
            // As the rules read it (booleans as true and false), so a suggested value set holds what they compare.
            var text = ValueAccessor.AsText(value)!;
            _distinct.Add(KeySet.Hash(text));
            if (_values is not null)
            {
                _values[text] = _values.GetValueOrDefault(text) + 1;
                if (_values.Count > MaxValueSet)
                {
                    _values = null;
                }
            }
            if (value is long or double)
            {
                var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                _min = Math.Min(_min, number);
                _max = Math.Max(_max, number);
            }
            if (value is string s && !_prefixBroken)
            {
                var underscore = s.IndexOf('_', StringComparison.Ordinal);
                var prefix = underscore > 0 && underscore <= 8 ? s[..(underscore + 1)] : null;
                _prefix ??= prefix;
                _prefixBroken = prefix is null || prefix != _prefix;
            }
        }

        public IEnumerable<(string Comment, string Rule)> Suggest(long rows, Func<string, bool> formatHolds)
        {
            var name = column.Name;
            var nulls = rows - _nonNull;
            var type = column.Type.ToString().ToLowerInvariant();
            if (rows == 0)
            {
                yield break;
            }
            if (nulls == 0)
            {
                yield return ($"{name} ({type}): no nulls in {rows:N0} rows", $"type: not_null\ncolumn: {name}");
            }
            else if (_nonNull > 0)
            {
                var fraction = (double)nulls / rows;
                var max = Math.Min(1, Math.Ceiling(fraction * 100) / 100);
                yield return ($"{name} ({type}): {Rule.Percent(fraction)} null ({nulls:N0} of {rows:N0} rows)",
                    $"type: null_fraction\ncolumn: {name}\nmax: {Number(max)}");
            }
            if (_nonNull == 0)
            {
                yield break;
            }
            var distinct = _distinct.Count;
            if (!_distinct.Estimated && distinct == _nonNull && _nonNull > 1 && column.Type is ParquetColumnType.String or ParquetColumnType.Int64)
            {
                yield return ($"{name}: every one of {_nonNull:N0} values distinct", $"type: unique\ncolumn: {name}");
            }
            if (_values is { Count: > 0 } values && _nonNull >= 10L * values.Count && column.Type is ParquetColumnType.String or ParquetColumnType.Boolean)
            {
                var set = values.OrderByDescending(v => v.Value).ThenBy(v => v.Key, StringComparer.Ordinal).ToList();
                yield return ($"{name}: {set.Count} distinct values ({string.Join(", ", set.Select(v => $"{v.Key} {v.Value:N0}"))})",
                    $"type: allowed_values\ncolumn: {name}\nvalues: [{string.Join(", ", set.Select(v => Quote(v.Key)))}]");
            }
            if (column.Type is ParquetColumnType.Int64 or ParquetColumnType.Double && double.IsFinite(_min) && name != "created")
            {
                yield return ($"{name}: values from {Number(_min)} to {Number(_max)}", $"type: value_between\ncolumn: {name}\nmin: {Number(_min)}\nmax: {Number(_max)}");
            }
            if (column.Type == ParquetColumnType.String)
            {
                foreach (var format in Formats.Where(formatHolds))
                {
                    yield return ($"{name}: every value is a {format.Replace('_', ' ')} ({_nonNull:N0} values)", $"type: {format}\ncolumn: {name}");
                }
                if (!_prefixBroken && _prefix is { } prefix && _values is null)
                {
                    yield return ($"{name}: every value starts with {prefix}", $"type: starts_with\ncolumn: {name}\nprefix: {Quote(prefix)}");
                }
            }
        }

        private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>A YAML single-quoted scalar.</summary>
        private static string Quote(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";
    }
}
