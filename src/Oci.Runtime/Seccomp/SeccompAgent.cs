using System.Text.Json;
using Oci.Runtime.Interop;
using Oci.Runtime.Lifecycle;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Seccomp;

/// <summary>
/// Hands a filter's listener (<c>SCMP_ACT_NOTIFY</c>) to the seccomp agent at <c>linux.seccomp.listenerPath</c>:
/// one connection, one container process state (config-linux.md "The Container Process State") with the listener
/// attached as <c>seccompFd</c>, then the connection is closed. The container waits for nothing from the agent.
/// </summary>
internal static class SeccompAgent
{
    /// <summary>Sends <paramref name="listener"/> (owned by the caller) with the state of the process
    /// <paramref name="pid"/> of the container described by <paramref name="state"/>.</summary>
    public static void Send(string listenerPath, string? metadata, int listener, int pid, ContainerStateDocument state)
    {
        byte[] message = ProcessState(metadata, pid, state);
        int socket = ConsoleSocket.Connect(listenerPath, "linux.seccomp.listenerPath");
        try
        {
            if (!Sys.SendMessage(socket, message, [listener]))
                throw new OciException($"linux.seccomp.listenerPath {listenerPath}: the agent closed the connection");
        }
        finally
        {
            Sys.Close(socket);
        }
    }

    /// <summary>The container process state document.</summary>
    internal static byte[] ProcessState(string? metadata, int pid, ContainerStateDocument state)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("ociVersion"u8, SpecNames.OciVersion);
            writer.WriteStartArray("fds"u8);
            writer.WriteStringValue("seccompFd"u8);
            writer.WriteEndArray();
            writer.WriteNumber("pid"u8, pid);
            if (!string.IsNullOrEmpty(metadata)) writer.WriteString("metadata"u8, metadata);
            writer.WritePropertyName("state"u8);
            writer.WriteRawValue(SpecLoader.SerializeState(state, indented: false), skipInputValidation: true);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
