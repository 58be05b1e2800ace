using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace Oci.Runtime.Spec;

/// <summary>Reads and writes the spec documents: a bundle's <c>config.json</c>, the state document and the features
/// document. Every problem with a document's content surfaces as a <see cref="SpecValidationException"/> whose
/// <see cref="SpecValidationException.JsonPath"/> names the offending value.</summary>
public static partial class SpecLoader
{
    /// <summary>The name of the configuration file inside a bundle.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>Parses and validates a config.json.</summary>
    /// <exception cref="SpecValidationException">The JSON is malformed, a value has the wrong type, or the config
    /// breaks a rule of the spec.</exception>
    public static RuntimeSpec Parse(ReadOnlySpan<byte> utf8Json) => Parse(utf8Json, out _);

    /// <summary>Parses and validates a config.json, returning the validator's warnings too.</summary>
    /// <exception cref="SpecValidationException">The JSON is malformed, a value has the wrong type, or the config
    /// breaks a rule of the spec.</exception>
    public static RuntimeSpec Parse(ReadOnlySpan<byte> utf8Json, out IReadOnlyList<SpecProblem> warnings)
    {
        RuntimeSpec spec = SpecReader.ReadSpec(utf8Json);
        warnings = SpecValidator.Validate(spec);
        return spec;
    }

    /// <summary>Parses a config.json without applying <see cref="SpecValidator"/>: only the JSON syntax and the types
    /// of the values are checked.</summary>
    /// <exception cref="SpecValidationException">The JSON is malformed or a value has the wrong type.</exception>
    public static RuntimeSpec ParseUnvalidated(ReadOnlySpan<byte> utf8Json) => SpecReader.ReadSpec(utf8Json);

    /// <summary>Reads, parses and validates <c>config.json</c> of the bundle at <paramref name="bundleDirectory"/>.</summary>
    /// <exception cref="OciException">The file does not exist or cannot be read.</exception>
    /// <exception cref="SpecValidationException">The config is malformed or invalid.</exception>
    public static RuntimeSpec LoadBundle(string bundleDirectory) => LoadBundle(bundleDirectory, out _);

    /// <summary>Reads, parses and validates <c>config.json</c> of a bundle, returning the validator's warnings too.</summary>
    /// <exception cref="OciException">The file does not exist or cannot be read.</exception>
    /// <exception cref="SpecValidationException">The config is malformed or invalid.</exception>
    public static RuntimeSpec LoadBundle(string bundleDirectory, out IReadOnlyList<SpecProblem> warnings) =>
        Parse(ReadBundleConfig(bundleDirectory), out warnings);

    /// <summary>
    /// The most bytes read of a config.json, an <c>exec --process</c> or an <c>update --resources</c> document.
    /// Real configs are far smaller (Kubernetes keeps a whole pod under etcd's 1.5 MiB object limit, and
    /// execve(2) takes at most 6 MiB of arguments and environment); a larger file is a mistake or an attack. The
    /// runtime holds several copies of a config while it works (and once needed more than 1 GB of memory and
    /// crashed on a 200 MB one), the container's init gets it in one record of at most 16 MiB, and what init holds is
    /// charged to the container's memory limit: 8 MiB bounds all of that with room to spare.
    /// </summary>
    public const int MaxDocumentBytes = 8 << 20;

    /// <summary>Reads the bytes of <c>config.json</c> of the bundle at <paramref name="bundleDirectory"/>.</summary>
    /// <exception cref="OciException">The file does not exist, cannot be read or is larger than
    /// <see cref="MaxDocumentBytes"/>.</exception>
    public static byte[] ReadBundleConfig(string bundleDirectory)
    {
        ArgumentNullException.ThrowIfNull(bundleDirectory);
        string path = Path.Combine(bundleDirectory, ConfigFileName);
        int fd = Interop.Sys.TryOpen(path, Interop.Sys.O_RDONLY, out int errno);
        // runc's words: clients match "JSON specification file ... not found".
        if (fd < 0 && errno is Enoent or Enotdir) throw new OciException($"JSON specification file {path} not found");
        return ReadDocument(fd, errno, path);
    }

    /// <summary>Reads a document (a process or resources file) of at most <see cref="MaxDocumentBytes"/>; "-" is
    /// standard input.</summary>
    /// <exception cref="OciException">The file does not exist, cannot be read or is too large; the message starts with
    /// <paramref name="path"/>.</exception>
    public static byte[] ReadDocument(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path == "-") return ReadDocument(Interop.Sys.DupCloexec(0, 3), 0, "standard input");
        int fd = Interop.Sys.TryOpen(path, Interop.Sys.O_RDONLY, out int errno);
        if (fd < 0 && errno is Enoent or Enotdir) throw new OciException($"{path}: does not exist");
        return ReadDocument(fd, errno, path);
    }

    const int Enoent = 2, Enotdir = 20, Eisdir = 21;

    /// <summary>Reads <paramref name="fd"/> (which it closes) up to <see cref="MaxDocumentBytes"/>; -1 with
    /// <paramref name="openErrno"/> is a failed open. Reads, rather than trusting a size: a pipe or a file in /proc
    /// has none.</summary>
    static byte[] ReadDocument(int fd, int openErrno, string name)
    {
        if (fd < 0) throw new OciException(new Interop.SyscallException(name, openErrno).Message);
        try
        {
            var buffer = new byte[16 << 10];
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > MaxDocumentBytes)
                        throw new OciException($"{name}: larger than {MaxDocumentBytes >> 20} MiB, the most oci-run reads of a document");
                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxDocumentBytes + 1));
                }
                int n = Interop.Sys.Read(fd, buffer.AsSpan(length));
                if (n == 0) return buffer.AsSpan(0, length).ToArray();
                length += n;
            }
        }
        catch (Interop.SyscallException e) when (e.Errno == Eisdir)
        {
            throw new OciException($"{name}: is a directory");
        }
        catch (Interop.SyscallException e)
        {
            throw new OciException($"{name}: {e.Message}", e);
        }
        finally
        {
            Interop.Sys.Close(fd);
        }
    }

    /// <summary>Parses a process document, as <c>exec --process</c> takes (config.md "Process").</summary>
    /// <exception cref="SpecValidationException">The JSON is malformed or a value has the wrong type.</exception>
    public static Process ParseProcess(ReadOnlySpan<byte> utf8Json) => SpecReader.ReadProcess(utf8Json);

    /// <summary>Parses a <c>linux.resources</c> object on its own, as <c>update --resources</c> takes it; fields
    /// absent stay null. Paths in errors are relative to that object.</summary>
    /// <exception cref="SpecValidationException">The JSON is malformed, null, or a value has the wrong type.</exception>
    public static LinuxResources ParseResources(ReadOnlySpan<byte> utf8Json) => SpecReader.ReadResources(utf8Json);

    /// <summary>Writes a config as indented UTF-8 JSON; properties that are null are left out.</summary>
    /// <remarks>By hand (<see cref="SpecWriter"/>), in the serializer's form: building the serializer's metadata for
    /// the spec's types cost more CPU than the rest of a command.</remarks>
    public static byte[] Serialize(RuntimeSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return SpecWriter.ToUtf8(spec);
    }

    /// <summary>Writes a process document, as <see cref="ParseProcess"/> reads it.</summary>
    /// <remarks>By hand (<see cref="SpecWriter"/>), in the serializer's form.</remarks>
    public static byte[] SerializeProcess(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        return SpecWriter.ToUtf8(process);
    }

    /// <summary>Parses and validates a state document (runtime.md "State").</summary>
    /// <exception cref="SpecValidationException">The document is malformed or invalid.</exception>
    public static ContainerStateDocument ParseState(ReadOnlySpan<byte> utf8Json)
    {
        ContainerStateDocument state = Deserialize(utf8Json, SpecJsonContext.Relaxed.ContainerStateDocument);
        SpecValidator.Validate(state);
        return state;
    }

    /// <summary>Writes a state document as UTF-8 JSON, indented unless <paramref name="indented"/> is false (runc's
    /// <c>list --format json</c> prints its array on one line).</summary>
    public static byte[] SerializeState(ContainerStateDocument state, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        // By hand, in the form the serializer's Relaxed context gives (indented, nulls left out, declaration order,
        // extension data last): building the serializer's metadata for this one small type cost more CPU than the
        // rest of a `state` command's work.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
               {
                   Indented = indented,
                   Encoder = Oci.Runtime.Spec.MinimalJsonEncoder.Instance,
               }))
        {
            writer.WriteStartObject();
            if (state.OciVersion is { } ociVersion) writer.WriteString("ociVersion"u8, ociVersion);
            if (state.Id is { } id) writer.WriteString("id"u8, id);
            if (state.Status is { } status) writer.WriteString("status"u8, status);
            if (state.Pid is { } pid) writer.WriteNumber("pid"u8, pid);
            if (state.Bundle is { } bundle) writer.WriteString("bundle"u8, bundle);
            if (state.Annotations is { } annotations)
            {
                writer.WriteStartObject("annotations"u8);
                foreach (var (key, value) in annotations)
                {
                    if (value is null) writer.WriteNull(key);
                    else writer.WriteString(key, value);
                }
                writer.WriteEndObject();
            }
            if (state.Rootfs is { } rootfs) writer.WriteString("rootfs"u8, rootfs);
            if (state.Created is { } created) writer.WriteString("created"u8, created);
            if (state.Owner is { } owner) writer.WriteString("owner"u8, owner);
            if (state.Extensions is { } extensions)
                foreach (var (key, value) in extensions)
                {
                    writer.WritePropertyName(key);
                    value.WriteTo(writer);
                }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses and validates a features document (features.md).</summary>
    /// <exception cref="SpecValidationException">The document is malformed or invalid.</exception>
    public static Features ParseFeatures(ReadOnlySpan<byte> utf8Json)
    {
        Features features = Deserialize(utf8Json, SpecJsonContext.Relaxed.Features);
        SpecValidator.Validate(features);
        return features;
    }

    /// <summary>Writes a features document as indented UTF-8 JSON.</summary>
    /// <remarks>By hand (<see cref="SpecWriter"/>), in the serializer's form.</remarks>
    public static byte[] SerializeFeatures(Features features)
    {
        ArgumentNullException.ThrowIfNull(features);
        return SpecWriter.ToUtf8(features);
    }

    /// <summary>Reads a document with the serializer, for the state and features documents. (config.json, a process
    /// and resources are read by <see cref="SpecReader"/>, which errs in the same words; the tests compare the two
    /// through this.)</summary>
    internal static T Deserialize<T>(ReadOnlySpan<byte> utf8Json, JsonTypeInfo<T> typeInfo) where T : class
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(utf8Json, typeInfo);
        }
        catch (JsonException e)
        {
            throw Translate(e);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException
                                      or FormatException or OverflowException)
        {
            throw new SpecValidationException("", $"invalid document: {e.Message}");
        }
        return value ?? throw new SpecValidationException("", "the document is null; expected a JSON object");
    }

    /// <summary>Turns System.Text.Json's exception into a <see cref="SpecValidationException"/> naming the value.</summary>
    internal static SpecValidationException Translate(JsonException e)
    {
        string path = ToSpecPath(e.Path);
        string where = e.LineNumber is long line
            ? $" (line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1})"
            : "";
        string message = StripLocation(e.Message);

        Match m = MissingRequired().Match(message);
        if (m.Success)
        {
            string[] names = m.Groups["names"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(n => n.Trim('\'')).ToArray();
            string first = names.Length > 0 ? names[0] : "?";
            string extra = names.Length > 1 ? $" (also missing: {string.Join(", ", names.Skip(1))})" : "";
            return new SpecValidationException(SpecPath.Property(path, first), $"required property is missing{extra}");
        }

        m = NullNotAllowed().Match(message);
        if (m.Success)
        {
            // The path already ends at the property for a null value.
            string name = m.Groups["name"].Value;
            string propertyPath = path.EndsWith(name, StringComparison.Ordinal) ? path : SpecPath.Property(path, name);
            return new SpecValidationException(propertyPath, "must not be null");
        }

        m = CannotConvert().Match(message);
        if (m.Success)
            return new SpecValidationException(path, $"expected {Describe(m.Groups["type"].Value)}{where}");

        return new SpecValidationException(path, $"malformed JSON: {message}{where}");
    }

    /// <summary>Converts <c>$.linux.namespaces[2].type</c> to <c>linux.namespaces[2].type</c>.</summary>
    internal static string ToSpecPath(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$") return "";
        if (jsonPath.StartsWith("$.", StringComparison.Ordinal)) return jsonPath[2..];
        if (jsonPath.StartsWith('$')) return jsonPath[1..];
        return jsonPath;
    }

    private static string StripLocation(string message)
    {
        int i = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (i < 0) i = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        return (i >= 0 ? message[..i] : message).TrimEnd();
    }

    private static string Describe(string clrType) => clrType switch
    {
        "System.String" => "a string",
        "System.Boolean" => "a boolean",
        "System.Byte" => "an integer from 0 to 255 (uint8)",
        "System.UInt16" => "an integer from 0 to 65535 (uint16)",
        "System.UInt32" => "an integer from 0 to 4294967295 (uint32)",
        "System.UInt64" => "an integer from 0 to 18446744073709551615 (uint64)",
        "System.Int32" => "an integer from -2147483648 to 2147483647 (int32)",
        "System.Int64" => "an integer from -9223372036854775808 to 9223372036854775807 (int64)",
        _ when clrType.StartsWith("System.Nullable`1[", StringComparison.Ordinal) =>
            Describe(clrType["System.Nullable`1[".Length..^1]),
        _ when clrType.StartsWith("System.Collections.Generic.List`1", StringComparison.Ordinal) => "an array",
        _ when clrType.StartsWith("System.Collections.Generic.Dictionary`2", StringComparison.Ordinal) => "an object",
        _ when clrType.StartsWith("Oci.Runtime.Spec.", StringComparison.Ordinal) => "an object",
        _ => clrType,
    };

    [GeneratedRegex(@"missing required properties including: (?<names>.*?)\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"property or field '(?<name>[^']*)' on type '[^']*' doesn't allow (setting|getting) null", RegexOptions.CultureInvariant)]
    private static partial Regex NullNotAllowed();

    [GeneratedRegex(@"could not be converted to (?<type>\S+?)\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex CannotConvert();
}
