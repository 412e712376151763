namespace OpsConsole.SparkJobs.Tests;

public sealed class JobCommandTests
{
    [Fact]
    public async Task RunAsync_NoCommand_ExitsWithInvalidArguments()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await JobCommand.RunAsync([], output, error);

        Assert.Equal(2, code);
        Assert.Contains("no command given", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task RunAsync_UnknownCommand_NamesIt()
    {
        var error = new StringWriter();

        var code = await JobCommand.RunAsync(["ingest", "--stream", "charges"], TextWriter.Null, error);

        Assert.Equal(2, code);
        Assert.Contains("unknown command 'ingest'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Help_PrintsUsageAndSucceeds()
    {
        var output = new StringWriter();

        var code = await JobCommand.RunAsync(["--help"], output, TextWriter.Null);

        Assert.Equal(0, code);
        Assert.StartsWith("usage:", output.ToString(), StringComparison.Ordinal);
    }
}
