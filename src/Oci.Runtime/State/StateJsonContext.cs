using System.Text.Json.Serialization;

namespace Oci.Runtime.State;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ContainerRecord))]
[JsonSerializable(typeof(Lifecycle.ContainerState))]
[JsonSerializable(typeof(List<Lifecycle.ContainerState>))]
internal partial class StateJsonContext : JsonSerializerContext
{
}
