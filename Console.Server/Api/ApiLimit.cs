using Microsoft.AspNetCore.Http.HttpResults;

namespace OpsConsole.Server.Api;

/// <summary>A list endpoint's <c>limit</c>: out of range is a 400 naming it, never silently clamped.</summary>
internal static class ApiLimit
{
    public static ValidationProblem? Invalid(int limit, int max) =>
        limit is < 1 || limit > max
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"must be between 1 and {max} (got {limit})."] })
            : null;
}
