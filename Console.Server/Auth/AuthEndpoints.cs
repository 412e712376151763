using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Validation;
using OpsConsole.Web;

namespace OpsConsole.Server.Auth;

public static class AuthEndpoints
{
    /// <summary>Sign-out, <c>/api/me</c>, the caller's API keys and the admins' user list.</summary>
    public static WebApplication MapAuthApi(this WebApplication app)
    {
        app.MapPost(ConsoleUrls.SignOut, SignOutAsync).AllowAnonymous().ExcludeFromDescription();

        var me = app.MapGroup("/api").RequireAuthorization(ConsolePolicies.Viewer).WithTags("Me");
        me.MapGet("/me", (HttpContext context) => TypedResults.Ok(ConsoleClaims.Caller(context.User)))
            .WithSummary("Who the caller is: name, role and how it authenticated.");
        me.MapGet("/me/keys", async (HttpContext context, IApiKeyService keys, CancellationToken cancellationToken) =>
            TypedResults.Ok(await keys.ListAsync(context.User.Identity!.Name!, cancellationToken)))
            .WithSummary("The caller's API keys (never their secrets).");
        me.MapPost("/me/keys", CreateKeyAsync)
            .WithSummary("Creates an API key for the caller (`name`, `scope` read or operate, `expiresInDays` 1..365 or left out); the response holds the secret, shown only this once. Only in a signed-in session: with an API key or HTTP Basic, 403.");
        me.MapDelete("/me/keys/{id}", async Task<IResult> (string id, HttpContext context, IApiKeyService keys, CancellationToken cancellationToken) =>
            await keys.RevokeAsync(context.User.Identity!.Name!, id, cancellationToken)
                ? TypedResults.NoContent()
                : TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"You have no API key '{id}'."))
            .WithSummary("Revokes one of the caller's API keys.");

        var users = app.MapGroup("/api").RequireAuthorization(ConsolePolicies.Admin).WithTags("Users");
        users.MapGet("/users", async (IUserDirectory directory, CancellationToken cancellationToken) =>
            TypedResults.Ok(await directory.ListAsync(cancellationToken)))
            .WithSummary("Every user with role and lockout state.");
        users.MapPost("/users/{name}/unlock", async Task<IResult> (string name, HttpContext context, IUserDirectory directory, CancellationToken cancellationToken) =>
            await directory.UnlockAsync(name, context.User.Identity!.Name!, cancellationToken)
                ? TypedResults.NoContent()
                : TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"There is no user '{name}'."))
            .WithSummary("Ends a user's lockout.");
        return app;
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad request", detail: "The sign-out form expired; reload the page and sign out again.");
        }
        await context.SignOutAsync(AuthSchemes.Cookie);
        return TypedResults.LocalRedirect(ConsoleUrls.SignInAfterSignOut);
    }

    private static async Task<IResult> CreateKeyAsync(
        [FromBody] CreateApiKeyRequest? request, HttpContext context, IApiKeyService keys, CancellationToken cancellationToken)
    {
        if (ConsoleClaims.Caller(context.User)?.AuthenticatedBy != "cookie")
        {
            // Keys are made by a person in a signed-in session: a key that made keys would outlive its own revocation
            // through them, and a script holding a password should not mint credentials that outlive a password change.
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: "API keys are created in a signed-in session (the console's API keys page), not with an API key or HTTP Basic.");
        }
        if (request is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = ["is required."] });
        }
        try
        {
            var created = await keys.CreateAsync(context.User.Identity!.Name!,
                new NewApiKey(request.Name) { Scope = request.Scope ?? ApiKeyScope.Operate, ExpiresInDays = request.ExpiresInDays }, cancellationToken);
            return TypedResults.Created($"/api/me/keys/{created.Key.Id}", created);
        }
        catch (InvalidFieldException exception)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [exception.Field] = [exception.Message] });
        }
    }
}
