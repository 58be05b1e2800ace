using System.Text.Json;

namespace Oci.Runtime.Spec;

/// <summary>
/// Reads the spec documents (config.json, <c>exec --process</c>, <c>update --resources</c>) by hand with
/// <see cref="Utf8JsonReader"/>, System.Text.Json's own low-level reader.
/// </summary>
/// <remarks>
/// Why it exists: building System.Text.Json's source-generated metadata for <see cref="RuntimeSpec"/> and every type
/// it reaches (JsonTypeInfo.Configure, JsonPropertyInfo.Configure and above all PopulatePolymorphismMetadata, which
/// reflects over the custom attributes of every type under NativeAOT) cost about a quarter of all the CPU of
/// <c>oci-run run</c>, paid in the CLI and again in the container's init. This reader builds no metadata; neither
/// does <see cref="SpecWriter"/> on the writing side. The model keeps its attributes: they still define the format,
/// and the serializer still reads the state and features documents.
/// <para>It produces exactly what <c>JsonSerializer.Deserialize(bytes, SpecJsonContext.Relaxed.X)</c> produces: the
/// same objects (last duplicate wins, unknown properties kept in <c>Extensions</c> in document order, nulls inside
/// lists and dictionaries kept), and for a bad document the same error, as <see cref="SpecLoader"/> turned the
/// serializer's <see cref="JsonException"/> into a <see cref="SpecValidationException"/>: the same path (in the
/// serializer's notation, including its quirks), the same words, the same line and column.
/// SpecReaderDifferentialTests holds it to that.</para>
/// This file: the entry points. The cursor and the shared primitives are in SpecReader.Cursor.cs, one file per part
/// of the model for the rest.
/// </remarks>
internal static partial class SpecReader
{
    /// <summary>Parses a config.json (the serializer's <c>RuntimeSpec</c>), without validating it.</summary>
    /// <exception cref="SpecValidationException">The JSON is malformed, a value has the wrong type, a required
    /// property is missing, or the document is null.</exception>
    public static RuntimeSpec ReadSpec(ReadOnlySpan<byte> utf8Json) =>
        ReadDocument(utf8Json, ReadRuntimeSpec) ?? throw DocumentIsNull();

    /// <summary>Parses a process document, as <c>exec --process</c> takes.</summary>
    /// <exception cref="SpecValidationException">As <see cref="ReadSpec"/>.</exception>
    public static Process ReadProcess(ReadOnlySpan<byte> utf8Json) =>
        ReadDocument(utf8Json, ReadProcessObject) ?? throw DocumentIsNull();

    /// <summary>Parses a resources document, as <c>update --resources</c> takes.</summary>
    /// <exception cref="SpecValidationException">As <see cref="ReadSpec"/>.</exception>
    public static LinuxResources ReadResources(ReadOnlySpan<byte> utf8Json) =>
        ReadDocument(utf8Json, ReadLinuxResources) ?? throw DocumentIsNull();

    /// <summary>Parses the <c>hooks</c> value of a config on its own; JSON null gives null. Paths in errors are
    /// relative to that value.</summary>
    /// <exception cref="SpecValidationException">As <see cref="ReadSpec"/>.</exception>
    public static Hooks? ReadHooks(ReadOnlySpan<byte> utf8Json) => ReadDocument(utf8Json, ReadHooksObject);

    /// <summary>Parses the <c>annotations</c> value of a config on its own; JSON null gives null. Paths in errors
    /// are relative to that value.</summary>
    /// <exception cref="SpecValidationException">As <see cref="ReadSpec"/>.</exception>
    public static Dictionary<string, string>? ReadAnnotations(ReadOnlySpan<byte> utf8Json) =>
        ReadDocument(utf8Json, static (ref Cursor c) => c.StringMap());

    private delegate T? ReadFn<T>(ref Cursor c) where T : class;

    /// <summary>One JSON value and nothing after it, as the serializer reads a document: JSON null gives null
    /// (after the check for trailing data, as there).</summary>
    private static T? ReadDocument<T>(ReadOnlySpan<byte> utf8Json, ReadFn<T> read) where T : class
    {
        var c = new Cursor(utf8Json);
        try
        {
            c.Read();
            T? value = read(ref c);
            c.ReadEndOfDocument();
            return value;
        }
        catch (JsonException e)
        {
            // Only Utf8JsonReader throws JsonException here: the document is not well-formed JSON.
            throw c.Malformed(e);
        }
    }

    private static SpecValidationException DocumentIsNull() =>
        new("", "the document is null; expected a JSON object");
}
