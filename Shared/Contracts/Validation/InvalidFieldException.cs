namespace OpsConsole.Shared.Validation;

/// <summary>Bad input, naming the field at fault. The API answers it with 400 and the field; forms show it inline.</summary>
public sealed class InvalidFieldException : Exception
{
    public InvalidFieldException(string field, string message)
        : base(message) => Field = field;

    public InvalidFieldException()
        : this("", "Invalid input.")
    {
    }

    public InvalidFieldException(string message)
        : this("", message)
    {
    }

    public InvalidFieldException(string message, Exception innerException)
        : base(message, innerException) => Field = "";

    /// <summary>The field, as the caller named it (for example <c>name</c>).</summary>
    public string Field { get; }
}
