using OpsConsole.Shared.Lake.Parquet;

namespace OpsConsole.Shared.Tests;

public sealed class RleHybridTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 7)]
    [InlineData(3, 2)]
    [InlineData(12, 3)]
    [InlineData(20, 4)]
    public void RoundTrip_RunsAndNoise_ReturnsTheValues(int bitWidth, int seed)
    {
        var random = new Random(seed);
        var values = new List<int>();
        while (values.Count < 5000)
        {
            var value = random.Next(1 << bitWidth);
            values.AddRange(Enumerable.Repeat(value, random.Next(3) == 0 ? random.Next(8, 40) : random.Next(1, 4)));
        }
        using var stream = new MemoryStream();

        RleHybrid.Write(stream, values.ToArray(), bitWidth);
        var read = new int[values.Count];
        var consumed = RleHybrid.Read(stream.ToArray(), bitWidth, read);

        Assert.Equal(values, read);
        Assert.Equal(stream.Length, consumed);
    }

    [Fact]
    public void Write_LongRun_IsOneRunHeaderAndOneValue()
    {
        using var stream = new MemoryStream();

        RleHybrid.Write(stream, Enumerable.Repeat(1, 1000).ToArray(), 1);

        Assert.Equal(3, stream.Length);
    }
}
