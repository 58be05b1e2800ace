namespace Oci.Runtime.Spec;

/// <summary>One finding of <see cref="SpecValidator"/>: an error (the document breaks a rule of the spec) or a
/// warning (the spec asks runtimes to log it and carry on).</summary>
/// <param name="Path">JSON path of the offending value, such as <c>linux.namespaces[2].type</c>.</param>
/// <param name="Message">What is wrong with it.</param>
/// <param name="IsWarning">True for a warning, false for an error.</param>
public sealed record SpecProblem(string Path, string Message, bool IsWarning)
{
    /// <summary>The problem as <c>path: message</c>, the form of <see cref="SpecValidationException"/> messages.</summary>
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";

    /// <summary>The exception that reports this problem.</summary>
    public SpecValidationException ToException() => new(Path, Message);
}
