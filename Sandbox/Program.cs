var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

// The Stripe-compatible API arrives with its own work; until then the Sandbox only answers its health check.
app.MapGet("/healthz", () => Results.Json(new { status = "alive" }));

await app.RunAsync();

/// <summary>The Sandbox's entry point (public for integration tests).</summary>
public partial class Program;
