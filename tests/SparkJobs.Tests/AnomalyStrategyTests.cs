using OpsConsole.SparkJobs.Quality;

namespace OpsConsole.SparkJobs.Tests;

/// <summary>The anomaly strategies on synthetic histories whose outliers are known.</summary>
public sealed class AnomalyStrategyTests
{
    /// <summary>60 runs around 1,000 records an hour with a weekly rhythm and noise of a known seed.</summary>
    private static List<double> Series(int seed = 7)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, 60).Select(i => 1000 + (50 * Math.Sin(i * 2 * Math.PI / 7)) + ((random.NextDouble() - 0.5) * 40))];
    }

    [Fact]
    public void ZScore_FlagsTheSpikeAndPassesEveryOrdinaryRun()
    {
        var series = Series();
        for (var i = 10; i < series.Count; i++)
        {
            Assert.False(AnomalyStrategies.ZScore(series[..i], series[i], 3).Anomalous, $"run {i} ({series[i]:0}) is ordinary");
        }

        var spike = AnomalyStrategies.ZScore(series, 1600, 3);

        Assert.True(spike.Anomalous);
        Assert.InRange(spike.Upper, 1050, 1200);
    }

    [Fact]
    public void Mad_IsNotBlindedByAnEarlierOutlier_WhereTheZScoreIs()
    {
        var history = Series()[..30];
        history[20] = 50_000; // an incident in the history: a replay of a whole month

        Assert.False(AnomalyStrategies.ZScore(history, 2500, 3).Anomalous); // the outlier widened the band past 2,500
        var mad = AnomalyStrategies.MedianAbsoluteDeviation(history, 2500, 3.5);
        Assert.True(mad.Anomalous);
        Assert.InRange(mad.Upper, 1050, 1300);
        Assert.False(AnomalyStrategies.MedianAbsoluteDeviation(history, Series()[30], 3.5).Anomalous);
    }

    [Theory]
    [InlineData(100, 140, 0.5, false)]
    [InlineData(100, 151, 0.5, true)]
    [InlineData(100, 49, 0.5, true)]
    [InlineData(100, 50, 0.5, false)]
    public void RateOfChange_JudgesTheRelativeChange(double previous, double value, double maxChange, bool anomalous)
    {
        var verdict = AnomalyStrategies.RateOfChange(previous, "previous run", value, maxChange);

        Assert.Equal(anomalous, verdict.Anomalous);
        Assert.Equal(previous * (1 - maxChange), verdict.Lower, 6);
        Assert.Equal(previous * (1 + maxChange), verdict.Upper, 6);
    }

    [Fact]
    public void ConstantHistory_KeepsTheSameValueInAndAnyChangeOut()
    {
        double[] history = [500, 500, 500, 500, 500];

        Assert.False(AnomalyStrategies.ZScore(history, 500, 3).Anomalous);
        Assert.True(AnomalyStrategies.ZScore(history, 501, 3).Anomalous);
        Assert.False(AnomalyStrategies.MedianAbsoluteDeviation(history, 500, 3.5).Anomalous);
        Assert.True(AnomalyStrategies.MedianAbsoluteDeviation(history, 499, 3.5).Anomalous);
    }
}
