using System.Text.RegularExpressions;
using OpsConsole.Shared.Validation;

namespace OpsConsole.Server.Auth;

/// <summary>What a user name may be: 1 to 64 letters, digits, '.', '_', '-' or '@'.</summary>
public static partial class UserNames
{
    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    public static void Validate(string name)
    {
        if (!IsValid(name))
        {
            throw new InvalidFieldException("name", "A user name must be 1 to 64 characters: letters, digits, '.', '_', '-' or '@'.");
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex Pattern();
}
