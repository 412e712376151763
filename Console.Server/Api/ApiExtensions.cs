using System.Text.Json.Serialization;

namespace OpsConsole.Server.Api;

public static class ApiExtensions
{
    /// <summary>JSON problem details for API errors and the OpenAPI document at <c>/openapi/v1.json</c>.</summary>
    public static WebApplicationBuilder AddConsoleApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<StoreUnavailableExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>Unhandled exceptions become a 500 problem (no stack trace to the caller); empty API errors get a problem body.</summary>
    public static WebApplication UseConsoleApiErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages());
        // An address with nothing behind it gets the console's own page (with its 404 status), not an empty answer.
        app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments("/hubs")
                               && !context.Request.Path.StartsWithSegments("/_framework") && !context.Request.Path.StartsWithSegments("/_content")
                               && HttpMethods.IsGet(context.Request.Method),
            pages => pages.UseStatusCodePagesWithReExecute(OpsConsole.Web.ConsoleUrls.NotFound));
        return app;
    }

    public static WebApplication MapConsoleApi(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        return app;
    }
}
