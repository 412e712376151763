using OpsConsole.Sandbox.Access;

namespace OpsConsole.Sandbox.Api;

public static class V1Endpoints
{
    /// <summary>Stripe's list and retrieve endpoints for charges, customers, refunds and events, and the OAuth token endpoint.</summary>
    public static IEndpointRouteBuilder MapStripeApi(this IEndpointRouteBuilder app)
    {
        Map(app, "/v1/charges", events: false, ["customer", "payment_intent", "transfer_group"], (api, q, live) => api.ListCharges(q, live), (api, id, live) => api.RetrieveCharge(id, live));
        Map(app, "/v1/customers", events: false, ["email"], (api, q, live) => api.ListCustomers(q, live), (api, id, live) => api.RetrieveCustomer(id, live));
        Map(app, "/v1/refunds", events: false, ["charge", "payment_intent"], (api, q, live) => api.ListRefunds(q, live), (api, id, live) => api.RetrieveRefund(id, live));
        Map(app, "/v1/events", events: true, [], (api, q, live) => api.ListEvents(q, live), (api, id, live) => api.RetrieveEvent(id, live));
        app.MapPost("/oauth/token", (HttpContext context, AccessControl access) => access.IssueTokenAsync(context.Request));
        app.MapFallback("/v1/{**path}", (HttpContext context, RequestPipeline pipeline) =>
            pipeline.HandleAsync(context, "unknown", _ => throw new StripeErrorException(
                new StripeError(404, "invalid_request_error", null, $"Unrecognized request URL ({context.Request.Method}: {context.Request.Path})."))));
        return app;
    }

    private static void Map(
        IEndpointRouteBuilder app,
        string path,
        bool events,
        string[] filters,
        Func<StripeApi, ListQuery, bool, byte[]> list,
        Func<StripeApi, string, bool, byte[]> retrieve)
    {
        app.MapGet(path, (HttpContext context, RequestPipeline pipeline, StripeApi api) =>
            pipeline.HandleAsync(context, $"GET {path}", caller => list(api, ListQuery.Parse(context.Request.Query, events, filters), caller.Live)));
        app.MapGet(path + "/{id}", (string id, HttpContext context, RequestPipeline pipeline, StripeApi api) =>
            pipeline.HandleAsync(context, $"GET {path}/{{id}}", caller =>
            {
                foreach (var key in context.Request.Query.Keys)
                {
                    if (key != "expand[]" && !key.StartsWith("expand[", StringComparison.Ordinal))
                    {
                        throw new StripeErrorException(StripeError.UnknownParameter(key));
                    }
                }
                return retrieve(api, id, caller.Live);
            }));
    }
}
