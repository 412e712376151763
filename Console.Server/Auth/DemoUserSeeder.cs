using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using OpsConsole.Shared.Auth;

namespace OpsConsole.Server.Auth;

/// <summary>
/// Creates the demo users admin, operator and viewer when they do not exist (option <c>Auth:DemoUsers</c>).
/// Each password comes from its environment variable; when that is unset at creation, a password is generated,
/// stored hashed and printed once to the log. Setting the variable later resets the password to it.
/// </summary>
internal sealed class DemoUserSeeder(
    UserStore users, IOptions<AuthOptions> options, IConfiguration configuration, ILogger<DemoUserSeeder> logger) : IHostedService
{
    public static IReadOnlyList<(string Name, ConsoleRole Role, string Variable)> DemoUsers { get; } =
    [
        ("admin", ConsoleRole.Admin, "OPSCONSOLE_ADMIN_PASSWORD"),
        ("operator", ConsoleRole.Operator, "OPSCONSOLE_OPERATOR_PASSWORD"),
        ("viewer", ConsoleRole.Viewer, "OPSCONSOLE_VIEWER_PASSWORD"),
    ];

    private const string Alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.DemoUsers)
        {
            return;
        }

        foreach (var (name, role, variable) in DemoUsers)
        {
            // Environment variables reach the configuration under their own names.
            var fromEnvironment = configuration[variable];
            var existing = await users.FindAsync(name, cancellationToken);
            if (existing is null)
            {
                var password = string.IsNullOrEmpty(fromEnvironment) ? Generate() : fromEnvironment;
                await users.CreateAsync(name, role, password, cancellationToken);
                if (string.IsNullOrEmpty(fromEnvironment))
                {
                    logger.LogWarning(
                        "Created demo user {User} ({Role}) with the generated password {Password}. It is shown only this once; set {Variable} to choose it.",
                        name, role, password, variable);
                }
                else
                {
                    logger.LogInformation("Created demo user {User} ({Role}) with the password from {Variable}", name, role, variable);
                }
            }
            else if (!string.IsNullOrEmpty(fromEnvironment))
            {
                if (!PasswordHasher.Verify(fromEnvironment, existing.PasswordHash))
                {
                    await users.SetPasswordAsync(name, fromEnvironment, cancellationToken);
                    logger.LogInformation("Set the password of demo user {User} from {Variable}", name, variable);
                }
                // The documented recovery of a locked-out account: start the console with its password variable set.
                if (await users.ClearLockoutsAsync(name, cancellationToken))
                {
                    logger.LogWarning("Cleared the sign-in lockouts of demo user {User}: {Variable} is set", name, variable);
                }
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static string Generate() => RandomNumberGenerator.GetString(Alphabet, 16);
}
