using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oci.Runtime.Spec;

/// <summary>Source-generated JSON metadata for the spec documents (no reflection under NativeAOT).</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    RespectNullableAnnotations = true,
    ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(RuntimeSpec))]
[JsonSerializable(typeof(ContainerStateDocument))]
[JsonSerializable(typeof(Features))]
internal partial class SpecJsonContext : JsonSerializerContext
{
    /// <summary>The context the loader uses: the generated options, with an encoder that writes non-ASCII
    /// characters and <c>+</c>, <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c>, <c>'</c> as themselves (config.json is not
    /// embedded in HTML).</summary>
    public static SpecJsonContext Relaxed { get; } = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        RespectNullableAnnotations = true,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        Encoder = MinimalJsonEncoder.Instance,
    });
}
