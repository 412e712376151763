namespace OpsConsole.TestSupport;

/// <summary>Paths in the repository as the tests see them (linked into each test project that needs them).</summary>
internal static class RepoPaths
{
    /// <summary>The folder holding Console.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration these tests were built with (Debug or Release).</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>The console's build output of the same configuration.</summary>
    public static string ServerAssembly()
    {
        var path = Path.Combine(Root, "Console.Server", "bin", Configuration, "net10.0", "OpsConsole.Server.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build Console.Server first.", path);
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Console.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Console.sln not found above the test folder.");
    }
}
