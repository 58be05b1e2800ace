namespace Oci.Runtime;

/// <summary>An error the runtime reports to its caller. The message is written for the user and uses runc's words
/// where clients such as containerd's shim match them.</summary>
public class OciException : Exception
{
    /// <summary>Creates an error with a user-facing message.</summary>
    public OciException(string message) : base(message) { }

    /// <summary>Creates an error with a user-facing message and the error that caused it.</summary>
    public OciException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A config.json (or another spec document) that is malformed or breaks a rule of the spec. The message
/// starts with the JSON path of the offending value, such as <c>linux.namespaces[2].type</c>.</summary>
public sealed class SpecValidationException : OciException
{
    /// <summary>Creates a validation error for the value at <paramref name="path"/>.</summary>
    public SpecValidationException(string path, string problem)
        : base(path.Length == 0 ? problem : $"{path}: {problem}")
    {
        JsonPath = path;
    }

    /// <summary>The JSON path of the offending value without the leading <c>$.</c>; empty for the document itself.</summary>
    public string JsonPath { get; }
}
