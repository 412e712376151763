namespace OpsConsole.Sandbox.Faults;

/// <summary>What can go wrong with a response, on purpose.</summary>
public enum FaultKind
{
    None,
    /// <summary>500, 502 or 503 with Stripe's api_error body.</summary>
    ServerError,
    /// <summary>No answer for <c>HangSeconds</c>, then the connection is dropped: the client's timeout fires.</summary>
    Hang,
    /// <summary>Headers and half the body, then the connection is dropped.</summary>
    Truncate,
    /// <summary>A complete 200 response whose body is cut mid-JSON.</summary>
    Malformed,
    /// <summary>The connection is reset before any response.</summary>
    Reset,
    /// <summary>An OAuth token is treated as expired (401 api_key_expired); keys are unaffected.</summary>
    TokenExpiry,
    /// <summary>A burst of <c>Burst429Length</c> rate-limit errors for the credential.</summary>
    Burst429,
}
