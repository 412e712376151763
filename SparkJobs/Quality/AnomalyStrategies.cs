namespace OpsConsole.SparkJobs.Quality;

/// <summary>An anomaly strategy's verdict: the band the history allows and whether the value lies outside it.</summary>
public sealed record AnomalyVerdict(double Lower, double Upper, bool Anomalous, string Explanation);

/// <summary>
/// Anomaly strategies over a metric's history (oldest first, committed runs only). Each gives a band; a value outside
/// it is an anomaly. A band never has zero width around a constant history: a small floor keeps an unchanged value in.
/// </summary>
public static class AnomalyStrategies
{
    /// <summary>Mean ± <paramref name="threshold"/> population standard deviations of the history.</summary>
    public static AnomalyVerdict ZScore(IReadOnlyList<double> history, double value, double threshold)
    {
        var mean = history.Average();
        var deviation = Math.Sqrt(history.Sum(x => (x - mean) * (x - mean)) / history.Count);
        var half = threshold * Math.Max(deviation, Floor(mean));
        var z = deviation > 0 ? (value - mean) / deviation : 0;
        return Verdict(mean - half, mean + half, value,
            $"mean {Format(mean)}, standard deviation {Format(deviation)} over {history.Count} runs; z = {Format(z)}");
    }

    /// <summary>A baseline (the previous run's value, or a mean) ± <paramref name="maxChange"/> of it: a relative rate of change.</summary>
    public static AnomalyVerdict RateOfChange(double previous, string baseline, double value, double maxChange)
    {
        var half = Math.Max(Math.Abs(previous) * maxChange, Floor(previous));
        var change = previous != 0 ? (value - previous) / Math.Abs(previous) : value == 0 ? 0 : double.PositiveInfinity;
        return Verdict(previous - half, previous + half, value, $"{baseline} {Format(previous)}; change {Format(change * 100)}%");
    }

    /// <summary>
    /// Median ± <paramref name="threshold"/> robust standard deviations, estimated as 1.4826 × the median absolute
    /// deviation: one outlier in the history does not widen the band, as it would with the z-score.
    /// </summary>
    public static AnomalyVerdict MedianAbsoluteDeviation(IReadOnlyList<double> history, double value, double threshold)
    {
        var median = Median(history);
        var mad = Median([.. history.Select(x => Math.Abs(x - median))]);
        var half = threshold * Math.Max(1.4826 * mad, Floor(median));
        return Verdict(median - half, median + half, value, $"median {Format(median)}, median absolute deviation {Format(mad)} over {history.Count} runs");
    }

    /// <summary>
    /// The previous run's value plus at most <paramref name="maxIncrease"/> and minus at most <paramref name="maxDecrease"/>,
    /// in the metric's own units (null: no limit that way): for metrics whose steps have a known size, such as a count that
    /// grows by about the same amount each run.
    /// </summary>
    public static AnomalyVerdict AbsoluteChange(double previous, double value, double? maxDecrease, double? maxIncrease) =>
        Verdict(maxDecrease is { } down ? previous - down : double.NegativeInfinity, maxIncrease is { } up ? previous + up : double.PositiveInfinity, value,
            $"previous run {Format(previous)}; change {(value >= previous ? "+" : "")}{Format(value - previous)}");

    /// <summary>A fixed band in the metric's units, whatever the history: for limits known in advance.</summary>
    public static AnomalyVerdict Threshold(double value, double? lower, double? upper) =>
        Verdict(lower ?? double.NegativeInfinity, upper ?? double.PositiveInfinity, value, "a fixed band");

    /// <summary>
    /// A running mean and variance over the history, oldest first (Welford's method), where a value outside the band
    /// of the runs before it (after the first <paramref name="warmUp"/>) is left out of the update: past anomalies do not
    /// widen the band, and the band follows a level that moves slowly. Mean ± <paramref name="threshold"/> deviations.
    /// </summary>
    public static AnomalyVerdict OnlineNormal(IReadOnlyList<double> history, double value, double threshold, int warmUp = 3)
    {
        double mean = 0, squares = 0;
        var count = 0;
        var skipped = 0;
        foreach (var x in history)
        {
            if (count >= warmUp)
            {
                var deviation = Math.Sqrt(squares / count);
                if (Math.Abs(x - mean) > threshold * Math.Max(deviation, Floor(mean)))
                {
                    skipped++;
                    continue;
                }
            }
            count++;
            var delta = x - mean;
            mean += delta / count;
            squares += delta * (x - mean);
        }
        var spread = Math.Sqrt(squares / Math.Max(count, 1));
        var half = threshold * Math.Max(spread, Floor(mean));
        return Verdict(mean - half, mean + half, value,
            $"running mean {Format(mean)}, deviation {Format(spread)} over {count} runs{(skipped > 0 ? $" ({skipped} anomalous runs left out)" : "")}");
    }

    /// <summary>
    /// Additive Holt-Winters (level, trend and a season of <paramref name="period"/> runs: 7 for a daily metric's week)
    /// fitted to the history, its smoothing factors chosen from a grid by the smallest one-step-ahead error; the band is
    /// the forecast for the next run ± <paramref name="threshold"/> × the root mean square of those errors. For metrics
    /// with a weekly rhythm (weekend dips) and a trend, which a band around a mean either misses or flags every weekend.
    /// Needs two full seasons of history.
    /// </summary>
    public static AnomalyVerdict HoltWinters(IReadOnlyList<double> history, double value, double threshold, int period = 7)
    {
        if (history.Count < 2 * period)
        {
            throw new ArgumentException($"Holt-Winters needs at least {2 * period} runs of history (two seasons of {period}); there are {history.Count}.", nameof(history));
        }
        double[] grid = [0.05, 0.2, 0.4, 0.6, 0.8];
        (double Forecast, double Error, double Alpha, double Beta, double Gamma) best = (0, double.PositiveInfinity, 0, 0, 0);
        foreach (var alpha in grid)
        {
            foreach (var beta in grid)
            {
                foreach (var gamma in grid)
                {
                    var (forecast, error) = FitHoltWinters(history, period, alpha, beta, gamma);
                    if (error < best.Error)
                    {
                        best = (forecast, error, alpha, beta, gamma);
                    }
                }
            }
        }
        var half = threshold * Math.Max(best.Error, Floor(best.Forecast));
        return Verdict(best.Forecast - half, best.Forecast + half, value,
            $"Holt-Winters forecast {Format(best.Forecast)} (season {period}, alpha {Format(best.Alpha)}, beta {Format(best.Beta)}, gamma {Format(best.Gamma)}), "
            + $"one-step error {Format(best.Error)} over {history.Count} runs");
    }

    /// <summary>One additive Holt-Winters pass: the forecast after the last value and the root mean square one-step error after the first season.</summary>
    private static (double Forecast, double Error) FitHoltWinters(IReadOnlyList<double> history, int period, double alpha, double beta, double gamma)
    {
        double first = 0, second = 0;
        for (var i = 0; i < period; i++)
        {
            first += history[i];
            second += history[period + i];
        }
        first /= period;
        second /= period;
        var level = first;
        var trend = (second - first) / period;
        var season = new double[period];
        for (var i = 0; i < period; i++)
        {
            season[i] = history[i] - first;
        }
        double squares = 0;
        var errors = 0;
        for (var t = period; t < history.Count; t++)
        {
            var index = t % period;
            var forecast = level + trend + season[index];
            squares += (history[t] - forecast) * (history[t] - forecast);
            errors++;
            var previousLevel = level;
            level = (alpha * (history[t] - season[index])) + ((1 - alpha) * (level + trend));
            trend = (beta * (level - previousLevel)) + ((1 - beta) * trend);
            season[index] = (gamma * (history[t] - level)) + ((1 - gamma) * season[index]);
        }
        return (level + trend + season[history.Count % period], Math.Sqrt(squares / errors));
    }

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static double Floor(double center) => Math.Max(Math.Abs(center) * 1e-9, 1e-12);

    private static AnomalyVerdict Verdict(double lower, double upper, double value, string explanation) =>
        new(lower, upper, value < lower || value > upper, explanation);

    internal static string Format(double value) => value.ToString(Math.Abs(value) >= 100 || value == Math.Floor(value) ? "0.##" : "0.####",
        System.Globalization.CultureInfo.InvariantCulture);
}
