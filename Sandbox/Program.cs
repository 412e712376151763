using OpsConsole.Sandbox.Hosting;

namespace OpsConsole.Sandbox;

/// <summary>The Sandbox as a standalone server: <c>dotnet run --project Sandbox -- --urls http://127.0.0.1:12111 --seed 42</c>.</summary>
public sealed class Program
{
    private Program()
    {
    }

    public static async Task<int> Main(string[] args)
    {
        var parsed = SandboxCommandLine.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"error: {error}");
            }
            await Console.Error.WriteLineAsync("See Sandbox/README.md for every option.");
            return 2;
        }

        var app = SandboxApp.Build(parsed.Options, parsed.HostArgs);
        await app.RunAsync();
        return 0;
    }
}
