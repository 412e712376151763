using System.Text.Json;

namespace OpsConsole.Sandbox.Api;

/// <summary>An error as Stripe answers it: an HTTP status and <c>{"error":{"type","code","message","param"}}</c>.</summary>
public sealed record StripeError(int Status, string Type, string? Code, string Message, string? Param = null)
{
    public static StripeError InvalidParameter(string param, string message) =>
        new(400, "invalid_request_error", "parameter_invalid", message, param);

    public static StripeError UnknownParameter(string param) =>
        new(400, "invalid_request_error", "parameter_unknown", $"Received unknown parameter: {param}", param);

    public static StripeError Missing(string objectName, string id, string param = "id") =>
        new(404, "invalid_request_error", "resource_missing", $"No such {objectName}: '{id}'", param);

    public static StripeError RateLimited() =>
        new(429, "invalid_request_error", "rate_limit",
            "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.");

    public static StripeError ServerError(int status) =>
        new(status, "api_error", null, "An unknown error occurred while processing your request; please retry.");

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, StripeJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            if (Code is not null)
            {
                json.WriteString("code", Code);
                json.WriteString("doc_url", $"https://stripe.com/docs/error-codes/{Code.Replace('_', '-')}");
            }
            json.WriteString("message", Message);
            if (Param is not null)
            {
                json.WriteString("param", Param);
            }
            json.WriteString("type", Type);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
