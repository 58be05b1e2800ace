using System.Text.Json.Serialization;

namespace Oci.Runtime.Spec;

/// <summary>Source-generated JSON metadata for the spec model (no reflection under NativeAOT).</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(RuntimeSpec))]
public partial class SpecJsonContext : JsonSerializerContext
{
}
