using System.Text.Json.Serialization;

namespace OpsConsole.Server.Api;

public static class ApiExtensions
{
    /// <summary>JSON problem details for API errors and the OpenAPI document at <c>/openapi/v1.json</c>.</summary>
    public static WebApplicationBuilder AddConsoleApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
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
        return app;
    }

    public static WebApplication MapConsoleApi(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        return app;
    }
}
