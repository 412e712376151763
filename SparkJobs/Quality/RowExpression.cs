using System.Globalization;
using System.Text;

namespace OpsConsole.SparkJobs.Quality;

/// <summary>
/// A row expression, compiled once and evaluated per row: column names, numbers, 'strings', <c>true</c>, <c>false</c>,
/// <c>null</c>; <c>+ - * / %</c>; <c>== != &lt; &lt;= &gt; &gt;=</c>; <c>and or not</c> (also <c>&amp;&amp; || !</c>);
/// <c>x is null</c>, <c>x is not null</c>, <c>x in ('a', 'b')</c>; functions <c>len lower upper abs coalesce</c>.
/// Nulls follow SQL: an operation on null is null, and a rule whose expression is null for a row does not fail that
/// row (as a SQL CHECK constraint passes on unknown). Integers stay integers; a double anywhere makes a double.
/// </summary>
public sealed class RowExpression
{
    private readonly Func<object?[], object?> _evaluate;

    private RowExpression(string text, Func<object?[], object?> evaluate, IReadOnlyList<string> columns)
    {
        Text = text;
        _evaluate = evaluate;
        Columns = columns;
    }

    public string Text { get; }

    /// <summary>The columns the expression reads.</summary>
    public IReadOnlyList<string> Columns { get; }

    public object? Evaluate(object?[] row) => _evaluate(row);

    /// <summary>True, false, or null (unknown) for a boolean expression; an error for any other value.</summary>
    public bool? Test(object?[] row) => Evaluate(row) switch
    {
        null => null,
        bool value => value,
        var other => throw new InvalidOperationException($"'{Text}' gave {Describe(other)}, not true or false."),
    };

    /// <summary>Compiles <paramref name="text"/> against a table's columns (name to row index); <see cref="FormatException"/> says where it is wrong.</summary>
    public static RowExpression Parse(string text, IReadOnlyDictionary<string, int> columns)
    {
        var parser = new Parser(text, columns);
        var evaluate = parser.ParseAll();
        return new RowExpression(text, evaluate, [.. parser.Used]);
    }

    internal static string Describe(object? value) => value switch
    {
        null => "null",
        string s => $"a string ({s.Length} characters)",
        bool b => b ? "true" : "false",
        _ => $"the number {Convert.ToString(value, CultureInfo.InvariantCulture)}",
    };

    private sealed class Parser(string text, IReadOnlyDictionary<string, int> columns)
    {
        private readonly List<(string Token, int At, bool Quoted)> _tokens = Tokenize(text);
        private int _next;

        public SortedSet<string> Used { get; } = new(StringComparer.Ordinal);

        public Func<object?[], object?> ParseAll()
        {
            if (_tokens.Count == 0)
            {
                throw new FormatException("the expression is empty");
            }
            var result = Or();
            if (_next < _tokens.Count)
            {
                throw Error($"unexpected '{_tokens[_next].Token}'");
            }
            return result;
        }

        private Func<object?[], object?> Or()
        {
            var left = And();
            while (Accept("or") || Accept("||"))
            {
                var l = left;
                var r = And();
                left = row =>
                {
                    var a = l(row);
                    if (a is true)
                    {
                        return true;
                    }
                    var b = r(row);
                    return b is true ? true : a is null || b is null ? null : false;
                };
            }
            return left;
        }

        private Func<object?[], object?> And()
        {
            var left = Not();
            while (Accept("and") || Accept("&&"))
            {
                var l = left;
                var r = Not();
                left = row =>
                {
                    var a = l(row);
                    if (a is false)
                    {
                        return false;
                    }
                    var b = r(row);
                    return b is false ? false : a is null || b is null ? null : true;
                };
            }
            return left;
        }

        private Func<object?[], object?> Not()
        {
            if (Accept("not") || Accept("!"))
            {
                var inner = Not();
                return row => inner(row) switch
                {
                    null => null,
                    bool b => !b,
                    var other => throw new InvalidOperationException($"'not' needs true or false, not {Describe(other)}."),
                };
            }
            return Comparison();
        }

        private Func<object?[], object?> Comparison()
        {
            var left = Additive();
            if (Accept("is"))
            {
                var negate = Accept("not");
                Expect("null");
                return negate ? row => left(row) is not null : row => left(row) is null;
            }
            if (Peek("not") && PeekAt(1, "in"))
            {
                _next += 2;
                var set = ValueList();
                return row => left(row) is { } value ? !set.Any(item => Equal(value, item)) : null;
            }
            if (Accept("in"))
            {
                var set = ValueList();
                return row => left(row) is { } value ? set.Any(item => Equal(value, item)) : null;
            }
            foreach (var op in new[] { "==", "!=", "<=", ">=", "<", ">" })
            {
                if (Accept(op))
                {
                    var right = Additive();
                    return row =>
                    {
                        var a = left(row);
                        var b = right(row);
                        if (a is null || b is null)
                        {
                            return null;
                        }
                        return op switch
                        {
                            "==" => Equal(a, b),
                            "!=" => !Equal(a, b),
                            "<" => Compare(a, b) < 0,
                            "<=" => Compare(a, b) <= 0,
                            ">" => Compare(a, b) > 0,
                            _ => Compare(a, b) >= 0,
                        };
                    };
                }
            }
            return left;
        }

        private List<object> ValueList()
        {
            Expect("(");
            var values = new List<object>();
            do
            {
                var at = _next;
                var value = Primary()(Array.Empty<object?>());
                if (value is null)
                {
                    throw Error("a list after 'in' holds constants, not null", at);
                }
                values.Add(value);
            }
            while (Accept(","));
            Expect(")");
            return values;
        }

        private Func<object?[], object?> Additive()
        {
            var left = Multiplicative();
            while (Peek("+") || Peek("-"))
            {
                var op = _tokens[_next++].Token;
                var l = left;
                var r = Multiplicative();
                left = row => Arithmetic(op, l(row), r(row));
            }
            return left;
        }

        private Func<object?[], object?> Multiplicative()
        {
            var left = Unary();
            while (Peek("*") || Peek("/") || Peek("%"))
            {
                var op = _tokens[_next++].Token;
                var l = left;
                var r = Unary();
                left = row => Arithmetic(op, l(row), r(row));
            }
            return left;
        }

        private Func<object?[], object?> Unary()
        {
            if (Accept("-"))
            {
                var inner = Unary();
                return row => Arithmetic("-", 0L, inner(row));
            }
            return Primary();
        }

        private Func<object?[], object?> Primary()
        {
            if (_next >= _tokens.Count)
            {
                throw Error("the expression ends too early");
            }
            var (token, at, quoted) = _tokens[_next++];
            if (quoted)
            {
                return _ => token;
            }
            if (token == "(")
            {
                var inner = Or();
                Expect(")");
                return inner;
            }
            if (char.IsDigit(token[0]))
            {
                object number = long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var integer) ? integer
                    : double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) ? real
                    : throw Error($"'{token}' is not a number", _next - 1);
                return _ => number;
            }
            switch (token)
            {
                case "true":
                    return _ => true;
                case "false":
                    return _ => false;
                case "null":
                    return _ => null;
            }
            if (!char.IsLetter(token[0]) && token[0] != '_')
            {
                throw Error($"unexpected '{token}'", _next - 1);
            }
            if (Accept("("))
            {
                var arguments = new List<Func<object?[], object?>>();
                if (!Accept(")"))
                {
                    do
                    {
                        arguments.Add(Or());
                    }
                    while (Accept(","));
                    Expect(")");
                }
                return Function(token, arguments, at);
            }
            if (!columns.TryGetValue(token, out var index))
            {
                throw new FormatException($"'{token}' (at {at + 1}) is not a column: use one of {string.Join(", ", columns.Keys)}");
            }
            Used.Add(token);
            return row => row[index];
        }

        private static Func<object?[], object?> Function(string name, List<Func<object?[], object?>> arguments, int at)
        {
            void Arity(int count)
            {
                if (arguments.Count != count)
                {
                    throw new FormatException($"{name}() (at {at + 1}) takes {count} argument{(count == 1 ? "" : "s")}, not {arguments.Count}");
                }
            }
            switch (name)
            {
                case "len":
                    Arity(1);
                    return row => arguments[0](row) is { } value ? (long)AsString(value, name).Length : null;
                case "lower":
                    Arity(1);
                    return row => arguments[0](row) is { } value ? AsString(value, name).ToLowerInvariant() : null;
                case "upper":
                    Arity(1);
                    return row => arguments[0](row) is { } value ? AsString(value, name).ToUpperInvariant() : null;
                case "abs":
                    Arity(1);
                    return row => arguments[0](row) switch
                    {
                        null => null,
                        long l => Math.Abs(l),
                        double d => Math.Abs(d),
                        var other => throw new InvalidOperationException($"abs() needs a number, not {Describe(other)}."),
                    };
                case "coalesce":
                    if (arguments.Count == 0)
                    {
                        throw new FormatException($"coalesce() (at {at + 1}) needs at least one argument");
                    }
                    return row => arguments.Select(argument => argument(row)).FirstOrDefault(value => value is not null);
                default:
                    throw new FormatException($"'{name}' (at {at + 1}) is not a function: use len, lower, upper, abs or coalesce");
            }
        }

        private static string AsString(object value, string function) =>
            value as string ?? throw new InvalidOperationException($"{function}() needs a string, not {Describe(value)}.");

        private bool Peek(string token) => PeekAt(0, token);

        private bool PeekAt(int offset, string token) =>
            _next + offset < _tokens.Count && !_tokens[_next + offset].Quoted && string.Equals(_tokens[_next + offset].Token, token, StringComparison.OrdinalIgnoreCase);

        private bool Accept(string token)
        {
            if (!Peek(token))
            {
                return false;
            }
            _next++;
            return true;
        }

        private void Expect(string token)
        {
            if (!Accept(token))
            {
                throw Error(_next < _tokens.Count ? $"expected '{token}' but found '{_tokens[_next].Token}'" : $"expected '{token}' at the end");
            }
        }

        private FormatException Error(string message, int? token = null)
        {
            var index = token ?? _next;
            var at = index < _tokens.Count ? _tokens[index].At + 1 : text.Length + 1;
            return new FormatException($"{message} (at character {at})");
        }

        private static List<(string, int, bool)> Tokenize(string text)
        {
            var tokens = new List<(string, int, bool)>();
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c is '\'' or '"')
                {
                    var start = i;
                    tokens.Add((QuotedString(text, ref i), start, true));
                }
                else if (char.IsLetterOrDigit(c) || c == '_')
                {
                    var start = i;
                    while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.'))
                    {
                        i++;
                    }
                    tokens.Add((text[start..i], start, false));
                }
                else
                {
                    var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
                    if (two is "==" or "!=" or "<=" or ">=" or "&&" or "||")
                    {
                        tokens.Add((two, i, false));
                        i += 2;
                    }
                    else if ("+-*/%<>(),!".Contains(c))
                    {
                        tokens.Add((c.ToString(), i, false));
                        i++;
                    }
                    else
                    {
                        throw new FormatException($"'{c}' (at character {i + 1}) is not part of the expression language");
                    }
                }
            }
            return tokens;
        }

        /// <summary>The string quoted at <paramref name="i"/> (a doubled quote stands for itself); <paramref name="i"/> ends after it.</summary>
        private static string QuotedString(string text, ref int i)
        {
            var quote = text[i];
            var start = i++;
            var value = new StringBuilder();
            while (true)
            {
                if (i >= text.Length)
                {
                    throw new FormatException($"the string starting at character {start + 1} is not closed");
                }
                if (text[i] == quote)
                {
                    if (i + 1 < text.Length && text[i + 1] == quote)
                    {
                        value.Append(quote);
                        i += 2;
                        continue;
                    }
                    i++;
                    return value.ToString();
                }
                value.Append(text[i++]);
            }
        }
    }

    private static object? Arithmetic(string op, object? a, object? b)
    {
        if (a is null || b is null)
        {
            return null;
        }
        if (a is long x && b is long y)
        {
            return op switch
            {
                "+" => x + y,
                "-" => x - y,
                "*" => x * y,
                "/" => y == 0 ? null : x / y,
                _ => y == 0 ? null : x % y,
            };
        }
        var p = Number(a, op);
        var q = Number(b, op);
        return op switch
        {
            "+" => p + q,
            "-" => p - q,
            "*" => p * q,
            "/" => q == 0 ? null : p / q,
            _ => q == 0 ? null : p % q,
        };
    }

    private static double Number(object value, string op) => value switch
    {
        long l => l,
        double d => d,
        _ => throw new InvalidOperationException($"'{op}' needs numbers, not {Describe(value)}."),
    };

    private static bool Equal(object a, object b) => (a, b) switch
    {
        (long x, long y) => x == y,
        (long or double, long or double) => Number(a, "==") == Number(b, "=="),
        _ => a.Equals(b),
    };

    private static int Compare(object a, object b) => (a, b) switch
    {
        (long x, long y) => x.CompareTo(y),
        (long or double, long or double) => Number(a, "<").CompareTo(Number(b, "<")),
        (string x, string y) => string.CompareOrdinal(x, y),
        _ => throw new InvalidOperationException($"{Describe(a)} and {Describe(b)} cannot be compared."),
    };
}
