using OpsConsole.SparkJobs.Sources.Stripe;

namespace OpsConsole.SparkJobs.Tests;

public sealed class RateGateTests
{
    private sealed class ManualTime : TimeProvider
    {
        public long Ticks { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Ticks;

        public void Advance(TimeSpan by) => Ticks += by.Ticks;
    }

    [Fact]
    public void OnRateLimited_CutsTheRateThenRecoversToTheTarget()
    {
        var time = new ManualTime();
        var gate = new RateGate(100, time);

        gate.OnRateLimited();
        Assert.Equal(70, gate.CurrentRate, 3);

        time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(70, gate.CurrentRate, 3);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(100, gate.CurrentRate, 3);
    }

    [Fact]
    public void OnRateLimited_ManyAtOnce_CountOnce()
    {
        var time = new ManualTime();
        var gate = new RateGate(100, time);

        for (var i = 0; i < 8; i++)
        {
            gate.OnRateLimited();
        }
        Assert.Equal(70, gate.CurrentRate, 3);

        time.Advance(TimeSpan.FromSeconds(1.01));
        gate.OnRateLimited();
        Assert.InRange(gate.CurrentRate, 50, 69);
    }

    [Fact]
    public async Task WaitAsync_Burst_IsATenthOfASecond()
    {
        var gate = new RateGate(100);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        for (var i = 0; i < 10; i++)
        {
            await gate.WaitAsync(CancellationToken.None);
        }
        var burst = watch.Elapsed;
        for (var i = 0; i < 10; i++)
        {
            await gate.WaitAsync(CancellationToken.None);
        }

        Assert.True(burst < TimeSpan.FromMilliseconds(50), $"the burst took {burst.TotalMilliseconds} ms");
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(85), $"20 requests at 100/s took only {watch.Elapsed.TotalMilliseconds} ms");
    }
}
