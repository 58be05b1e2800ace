using System.Text.Json;

namespace Oci.Runtime.Spec;

// The process (config.md "Process") and the types it holds. exec writes the process it runs for the container's
// init with this, instead of the serializer whose metadata cost more CPU than the rest of the command (SpecWriter.cs).
internal static partial class SpecWriter
{
    /// <summary>Writes a process document, as <c>exec --process</c> takes it.</summary>
    public static void Write(Utf8JsonWriter writer, Process process)
    {
        writer.WriteStartObject();
        Bool(writer, "terminal"u8, process.Terminal);
        if (process.ConsoleSize is { } box)
        {
            writer.WriteStartObject("consoleSize"u8);
            writer.WriteNumber("height"u8, box.Height);
            writer.WriteNumber("width"u8, box.Width);
            EndObject(writer, box.Extensions);
        }
        // UserOrNull, not User: an absent user stays absent.
        if (process.UserOrNull is { } user)
        {
            writer.WriteStartObject("user"u8);
            writer.WriteNumber("uid"u8, user.Uid);
            writer.WriteNumber("gid"u8, user.Gid);
            Num(writer, "umask"u8, user.Umask);
            if (user.AdditionalGids is { } gids)
            {
                writer.WriteStartArray("additionalGids"u8);
                foreach (uint gid in gids) writer.WriteNumberValue(gid);
                writer.WriteEndArray();
            }
            Str(writer, "username"u8, user.Username);
            EndObject(writer, user.Extensions);
        }
        Strings(writer, "args"u8, process.Args);
        Str(writer, "commandLine"u8, process.CommandLine);
        Strings(writer, "env"u8, process.Env);
        Str(writer, "cwd"u8, process.Cwd);
        if (process.Capabilities is { } caps)
        {
            writer.WriteStartObject("capabilities"u8);
            Strings(writer, "bounding"u8, caps.Bounding);
            Strings(writer, "effective"u8, caps.Effective);
            Strings(writer, "inheritable"u8, caps.Inheritable);
            Strings(writer, "permitted"u8, caps.Permitted);
            Strings(writer, "ambient"u8, caps.Ambient);
            EndObject(writer, caps.Extensions);
        }
        Objects(writer, "rlimits"u8, process.Rlimits, WriteRlimit);
        Bool(writer, "noNewPrivileges"u8, process.NoNewPrivileges);
        Str(writer, "apparmorProfile"u8, process.ApparmorProfile);
        Num(writer, "oomScoreAdj"u8, process.OomScoreAdj);
        Str(writer, "selinuxLabel"u8, process.SelinuxLabel);
        if (process.IOPriority is { } io)
        {
            writer.WriteStartObject("ioPriority"u8);
            Str(writer, "class"u8, io.Class);
            writer.WriteNumber("priority"u8, io.Priority);
            EndObject(writer, io.Extensions);
        }
        if (process.Scheduler is { } scheduler)
        {
            writer.WriteStartObject("scheduler"u8);
            Str(writer, "policy"u8, scheduler.Policy);
            Num(writer, "nice"u8, scheduler.Nice);
            Num(writer, "priority"u8, scheduler.Priority);
            Strings(writer, "flags"u8, scheduler.Flags);
            Num(writer, "runtime"u8, scheduler.Runtime);
            Num(writer, "deadline"u8, scheduler.Deadline);
            Num(writer, "period"u8, scheduler.Period);
            EndObject(writer, scheduler.Extensions);
        }
        if (process.ExecCpuAffinity is { } affinity)
        {
            writer.WriteStartObject("execCPUAffinity"u8);
            Str(writer, "initial"u8, affinity.Initial);
            Str(writer, "final"u8, affinity.Final);
            EndObject(writer, affinity.Extensions);
        }
        EndObject(writer, process.Extensions);
    }

    static void WriteRlimit(Utf8JsonWriter writer, PosixRlimit? rlimit)
    {
        if (rlimit is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        Str(writer, "type"u8, rlimit.Type);
        writer.WriteNumber("hard"u8, rlimit.Hard);
        writer.WriteNumber("soft"u8, rlimit.Soft);
        EndObject(writer, rlimit.Extensions);
    }
}
