using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Cryptography.KeyDerivation;

namespace OpsConsole.Server.Auth;

/// <summary>
/// PBKDF2 (HMAC-SHA512) password hashes with a random 128-bit salt, stored as
/// <c>pbkdf2-sha512$iterations$salt$hash</c> (base64), compared in constant time.
/// </summary>
public static class PasswordHasher
{
    /// <summary>Iterations for new hashes: OWASP's 2023 figure for PBKDF2-HMAC-SHA512 is 210,000.</summary>
    public const int Iterations = 210_000;

    private const string Algorithm = "pbkdf2-sha512";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string Hash(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, Iterations);
        return string.Join('$', Algorithm, Iterations.ToString(CultureInfo.InvariantCulture),
            Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>Whether <paramref name="password"/> matches <paramref name="stored"/>. A malformed hash never matches.</summary>
    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Algorithm ||
            !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            var actual = Derive(password, salt, iterations, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static byte[] Derive(string password, byte[] salt, int iterations, int length = HashBytes) =>
        KeyDerivation.Pbkdf2(password, salt, KeyDerivationPrf.HMACSHA512, iterations, length);
}
