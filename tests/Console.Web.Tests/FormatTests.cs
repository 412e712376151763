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
}
