namespace OpsConsole.Shared.Validation;

/// <summary>Bad input, naming the field at fault. The API answers it with 400 and the field; forms show it inline.</summary>
public sealed class InvalidFieldException : Exception
{
    /// <summary>A refused value as an error message quotes it: at most its first 40 characters.</summary>
    public static string Quote(string value) => value.Length <= 40 ? value : $"{value[..40]}...";

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
