using OpsConsole.Shared.Validation;

namespace OpsConsole.Server.Api;

/// <summary>The service refusals every API area answers alike, and a hook for each area's own.</summary>
internal static class ApiRefusals
{
    /// <summary>
    /// Runs an endpoint's action and answers a refusal of its service as a problem: a wrong field is a <c>400</c>
    /// naming it, an unknown stream a <c>404</c> titled <paramref name="notFound"/>, a role that is too low a <c>403</c>;
    /// <paramref name="own"/> answers the area's own refusals (null for an exception it does not know, which goes on; it is asked twice, so it only maps).
    /// </summary>
    public static async Task<IResult> HandleAsync(Func<Task<IResult>> action, string notFound, Func<Exception, IResult?> own)
    {
        try
        {
            return await action();
        }
        catch (InvalidFieldException exception)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [exception.Field] = [exception.Message] });
        }
        catch (KeyNotFoundException exception)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: notFound, detail: exception.Message);
        }
        catch (UnauthorizedAccessException exception)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: exception.Message);
        }
        catch (Exception exception) when (own(exception) is not null)
        {
            return own(exception)!;
        }
    }
}
