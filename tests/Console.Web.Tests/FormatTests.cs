namespace OpsConsole.Web.Tests;

public sealed class FormatTests
{
    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(5L * 1024 * 1024, "5.0 MiB")]
    [InlineData(3L * 1024 * 1024 * 1024, "3.00 GiB")]
    public void Bytes_UseBinaryUnits(long bytes, string expected) => Assert.Equal(expected, Format.Bytes(bytes));

    [Theory]
    [InlineData(null, "—")]
    [InlineData(4.25, "4.3 s")]
    [InlineData(125.0, "2 min 5 s")]
    [InlineData(7_380.0, "2 h 3 min")]
    public void Duration_ReadsAsAPersonWouldSayIt(double? seconds, string expected) => Assert.Equal(expected, Format.Duration(seconds));

    [Theory]
    [InlineData(1234.5, "$1,234.50")]
    [InlineData(0.0123, "$0.0123")]
    [InlineData(0.5, "$0.5000")]
    [InlineData(0.000042, "< $0.0001")]
    [InlineData(0.0, "$0.00")]
    public void Usd_OneFormat_CentsFromADollar_FourDecimalsBelow(double value, string expected) => Assert.Equal(expected, Format.Usd(value));

    [Fact]
    public void NumbersAndTimes_AreInvariantAndUtc()
    {
        Assert.Equal("1,234,567", Format.Count(1_234_567));
        Assert.Equal("0.123457", Format.Number(0.1234567, 6));
        Assert.Equal("12.35 %", Format.Percent(0.12345, 2));
        Assert.Equal("2026-09-21 14:13", Format.Time(1_790_000_000));
        Assert.Equal("2026-11-26 13:00:00", Format.Time(new DateTimeOffset(2026, 11, 26, 14, 0, 0, TimeSpan.FromHours(1))));
        Assert.Equal("—", Format.Time((DateTimeOffset?)null));
    }

    [Theory]
    [InlineData(0.0090, 0.005)]
    [InlineData(1234, 500)]
    [InlineData(1, 0.5)]
    [InlineData(0, 1)]
    [InlineData(40, 10)]
    public void ChartStep_RoundNumberForAboutFourLines(double max, double expected) => Assert.Equal(expected, ChartAxis.RoundStep(max), 9);

    [Fact]
    public void ChartAxis_ValuesBelowOne_DrawnScaledToWholeSteps()
    {
        var dollars = ChartAxis.For(0.009);
        Assert.Equal(new ChartAxis(200, 1), dollars);
        Assert.Equal(0.005, dollars.Unscale(dollars.Scale(0.005)), 9);
        Assert.Equal(new ChartAxis(1, 500), ChartAxis.For(1234));
    }

    [Theory]
    [InlineData(5, "5 s ago")]
    [InlineData(185, "3 min ago")]
    [InlineData(7300, "2 h ago")]
    [InlineData(200_000, "2 d ago")]
    [InlineData(40 * 86400, "2026-10-17")]
    public void Ago_OneUnit_TheDateAfterAMonth(double secondsAgo, string expected)
    {
        var now = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(expected, Format.Ago(now.AddSeconds(-secondsAgo), now));
    }

    [Fact]
    public void UtcInput_RoundTripsWithoutTheBrowsersZone()
    {
        Assert.Equal(new DateTime(2026, 11, 1, 8, 30, 0, DateTimeKind.Utc), UtcInput.Parse("2026-11-01T08:30"));
        Assert.Equal(new DateTime(2026, 11, 1, 8, 30, 15, DateTimeKind.Utc), UtcInput.Parse("2026-11-01T08:30:15"));
        Assert.Null(UtcInput.Parse("yesterday"));
        Assert.Null(UtcInput.Parse(""));
        Assert.Equal("2026-11-01T08:30", UtcInput.Text(new DateTime(2026, 11, 1, 8, 30, 0)));
        Assert.Equal("2026-11-01T08:30:00", UtcInput.Text(new DateTime(2026, 11, 1, 8, 30, 0), seconds: true));
    }
}
