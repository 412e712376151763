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
