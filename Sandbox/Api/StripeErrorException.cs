namespace OpsConsole.Sandbox.Api;

/// <summary>Thrown while handling a request to answer it with a Stripe error.</summary>
public sealed class StripeErrorException : Exception
{
    public StripeErrorException(StripeError error)
        : base(error.Message) => Error = error;

    public StripeErrorException()
        : this(StripeError.ServerError(500))
    {
    }

    public StripeErrorException(string message)
        : this(StripeError.ServerError(500) with { Message = message })
    {
    }

    public StripeErrorException(string message, Exception innerException)
        : base(message, innerException) => Error = StripeError.ServerError(500) with { Message = message };

    public StripeError Error { get; }
}
