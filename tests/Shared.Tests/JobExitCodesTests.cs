using OpsConsole.Shared.Jobs;

namespace OpsConsole.Shared.Tests;

public sealed class JobExitCodesTests
{
    [Theory]
    [InlineData(0, "succeeded")]
    [InlineData(3, "blocked by a data-quality rule")]
    [InlineData(130, "cancelled")]
    [InlineData(137, "killed by SIGKILL")]
    [InlineData(1, "exited with code 1")]
    public void Describe_Code_SaysWhatItMeans(int code, string expected) => Assert.Equal(expected, JobExitCodes.Describe(code));
}
