using System.Globalization;
using OpsConsole.Server.Runners;

namespace OpsConsole.Server.Tests;

/// <summary>The process of a job the local runner started, read from its handle (<c>{run}:{pid}:{ticks}</c>) for tests that signal it from outside.</summary>
internal sealed record LocalJob(int Pid)
{
    public static LocalJob Of(JobHandle handle)
    {
        Assert.Equal("local", handle.Kind);
        return new LocalJob(int.Parse(handle.Id.Split(':')[1], CultureInfo.InvariantCulture));
    }
}
