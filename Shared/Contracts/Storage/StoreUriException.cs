namespace OpsConsole.Shared.Storage;

/// <summary>
/// A store URI that cannot be used. The message completes a sentence that starts with the option or setting's name
/// ("--state is empty.", "Lake:Uri has no path after 'file:'."): the caller, who knows that name, puts it in front.
/// </summary>
public sealed class StoreUriException : FormatException
{
    public StoreUriException()
    {
    }

    public StoreUriException(string message)
        : base(message)
    {
    }

    public StoreUriException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
