using System.Text.RegularExpressions;

namespace Oci.Runtime.Tests.Integration;

/// <summary>The registration snippets of README.md (containerd, Docker, podman), as the client tests use them: the
/// fenced block after a <c>&lt;!-- snippet: NAME --&gt;</c> line, with only the binary's path changed to the one
/// under test.</summary>
public static partial class ReadmeSnippets
{
    /// <summary>The path the README's snippets name.</summary>
    public const string InstalledPath = "/usr/local/bin/oci-run";

    /// <summary>Snippet <paramref name="name"/>, with <see cref="InstalledPath"/> replaced by <paramref name="binary"/>.</summary>
    public static string Get(string name, string binary)
    {
        string snippet = Get(name);
        if (!snippet.Contains(InstalledPath))
            throw new Xunit.Sdk.XunitException($"README.md's snippet \"{name}\" does not name {InstalledPath}");
        return snippet.Replace(InstalledPath, binary);
    }

    /// <summary>Snippet <paramref name="name"/> as README.md has it.</summary>
    public static string Get(string name)
    {
        string readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md"));
        var match = new Regex($@"<!-- snippet: {Regex.Escape(name)} -->\s*```[a-z]*\n(.*?)\n```", RegexOptions.Singleline).Match(readme);
        if (!match.Success) throw new Xunit.Sdk.XunitException($"README.md has no snippet \"{name}\"");
        return match.Groups[1].Value;
    }
}
