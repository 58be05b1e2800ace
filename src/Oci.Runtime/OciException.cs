using Oci.Runtime.Lifecycle;

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

/// <summary>The error for a container id that the state root does not hold; worded as runc's
/// (<c>container does not exist: ID</c>).</summary>
public sealed class ContainerNotFoundException(string id) : OciException($"container does not exist: {id}")
{
    /// <summary>The id asked for.</summary>
    public string Id { get; } = id;
}

/// <summary>The error for creating a container with an id that the state root already holds; worded as runc's
/// (<c>container with id exists: ID</c>).</summary>
public sealed class ContainerAlreadyExistsException(string id) : OciException($"container with id exists: {id}")
{
    /// <summary>The id asked for.</summary>
    public string Id { get; } = id;
}

/// <summary>The error for an operation that the container's status does not allow: starting one that runs or has
/// stopped, signalling or exec'ing into a stopped one, deleting a running one without force. The message is runc's
/// (such as <c>container not running</c>, which containerd's shim matches).</summary>
public sealed class ContainerStateException(string id, ContainerStatus status, string message) : OciException(message)
{
    /// <summary>The container's id.</summary>
    public string Id { get; } = id;

    /// <summary>The status the container was in.</summary>
    public ContainerStatus Status { get; } = status;
}
