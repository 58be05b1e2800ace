using System.Text.Json.Serialization;

namespace Oci.Runtime.State;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ContainerRecord))]
internal partial class StateJsonContext : JsonSerializerContext
{
}
