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

    /// <summary>8 weeks of a daily metric: weekdays about 1,000 growing 2 a day, weekends (days 5 and 6) dipping to about 600, seeded noise.</summary>
    private static List<double> Weekly(int days = 56, int seed = 3)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, days).Select(day => (day % 7 >= 5 ? 600 : 1000) + (2.0 * day) + ((random.NextDouble() - 0.5) * 20))];
    }

    [Fact]
    public void HoltWinters_Seasonal_PassesTheWeekendDip_FlagsAMissingDipAndADipOnAWeekday_WhichTheZScoreCannot()
    {
        var history = Weekly(); // day 56 is a Monday-like weekday (56 % 7 == 0), day 61 a weekend day
        var weekday = 1000 + (2.0 * 56);
        Assert.False(AnomalyStrategies.HoltWinters(history, weekday, 3).Anomalous);
        Assert.True(AnomalyStrategies.HoltWinters(history, 600 + (2.0 * 56), 3).Anomalous); // a weekend's level on a weekday

        var toWeekend = Weekly(61);
        var dip = 600 + (2.0 * 61);
        Assert.False(AnomalyStrategies.HoltWinters(toWeekend, dip, 3).Anomalous);
        var missingDip = AnomalyStrategies.HoltWinters(toWeekend, 1000 + (2.0 * 61), 3);
        Assert.True(missingDip.Anomalous, missingDip.Explanation);
        Assert.InRange(missingDip.Upper, dip, dip + 150);

        // A band around the mean takes both levels as ordinary: it cannot tell a weekday from a weekend.
        Assert.False(AnomalyStrategies.ZScore(toWeekend, 1000 + (2.0 * 61), 3).Anomalous);
        Assert.False(AnomalyStrategies.ZScore(history, 600 + (2.0 * 56), 3).Anomalous);
    }

    [Fact]
    public void HoltWinters_Trending_FollowsTheTrend_AndFlagsAFallBackToAnOldLevel()
    {
        var history = Enumerable.Range(0, 28).Select(day => 1000 + (25.0 * day)).ToList();

        Assert.False(AnomalyStrategies.HoltWinters(history, 1000 + (25.0 * 28), 3).Anomalous);
        Assert.True(AnomalyStrategies.HoltWinters(history, 1000 + (25.0 * 14), 3).Anomalous);
        var short_ = Assert.Throws<ArgumentException>(() => AnomalyStrategies.HoltWinters(history[..13], 1000, 3));
        Assert.Contains("at least 14 runs", short_.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlineNormal_Spiky_LeavesPastSpikesOut_SoANewSpikeIsFlagged_WhereTheZScoreIsBlinded()
    {
        var history = Series()[..40];
        history[12] = 20_000;
        history[25] = 15_000;
        history[33] = 30_000;

        Assert.False(AnomalyStrategies.ZScore(history, 2500, 3).Anomalous);
        var online = AnomalyStrategies.OnlineNormal(history, 2500, 3);
        Assert.True(online.Anomalous, online.Explanation);
        Assert.Contains("3 anomalous runs left out", online.Explanation, StringComparison.Ordinal);
        Assert.InRange(online.Upper, 1050, 1200);
        for (var i = 40; i < 60; i++)
        {
            Assert.False(AnomalyStrategies.OnlineNormal(history, Series()[i], 3).Anomalous, $"run {i} ({Series()[i]:0}) is ordinary");
        }
    }

    [Theory]
    [InlineData(1000, 1010, false)]
    [InlineData(1000, 1050, true)]
    [InlineData(1000, 995, true)]
    [InlineData(1000, 1000, false)]
    public void AbsoluteChange_Trending_AStepOfTheUsualSizePasses_ALargerOneOrAFallFails(double previous, double value, bool anomalous)
    {
        var verdict = AnomalyStrategies.AbsoluteChange(previous, value, maxDecrease: 0, maxIncrease: 20);

        Assert.Equal(anomalous, verdict.Anomalous);
        Assert.Equal((previous, previous + 20), (verdict.Lower, verdict.Upper));
        Assert.False(AnomalyStrategies.AbsoluteChange(previous, 5 * previous, null, null).Anomalous); // no limit either way
    }

    [Fact]
    public void Threshold_IsAFixedBand_WhateverCameBefore()
    {
        Assert.False(AnomalyStrategies.Threshold(10, 0, 10).Anomalous);
        Assert.True(AnomalyStrategies.Threshold(10.5, 0, 10).Anomalous);
        Assert.True(AnomalyStrategies.Threshold(-1, 0, null).Anomalous);
        Assert.False(AnomalyStrategies.Threshold(1e12, 0, null).Anomalous);
    }
}
