using System.Text.Json;

namespace Oci.Runtime.Spec;

// The seccomp filter of a config (config-linux.md "Seccomp"), often the largest part of it. Written by hand rather
// than by the serializer, whose metadata cost more CPU than the rest of a command (SpecWriter.cs).
internal static partial class SpecWriter
{
    static void WriteSeccomp(Utf8JsonWriter writer, LinuxSeccomp seccomp)
    {
        writer.WriteStartObject();
        Str(writer, "defaultAction"u8, seccomp.DefaultAction);
        Num(writer, "defaultErrnoRet"u8, seccomp.DefaultErrnoRet);
        Strings(writer, "architectures"u8, seccomp.Architectures);
        Strings(writer, "flags"u8, seccomp.Flags);
        Str(writer, "listenerPath"u8, seccomp.ListenerPath);
        Str(writer, "listenerMetadata"u8, seccomp.ListenerMetadata);
        Objects(writer, "syscalls"u8, seccomp.Syscalls, WriteSyscall);
        EndObject(writer, seccomp.Extensions);
    }

    static void WriteSyscall(Utf8JsonWriter writer, LinuxSyscall? syscall)
    {
        if (syscall is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        Strings(writer, "names"u8, syscall.Names);
        Str(writer, "action"u8, syscall.Action);
        Num(writer, "errnoRet"u8, syscall.ErrnoRet);
        Objects(writer, "args"u8, syscall.Args, WriteSeccompArg);
        EndObject(writer, syscall.Extensions);
    }

    static void WriteSeccompArg(Utf8JsonWriter writer, LinuxSeccompArg? arg)
    {
        if (arg is null) { writer.WriteNullValue(); return; }
        writer.WriteStartObject();
        writer.WriteNumber("index"u8, arg.Index);
        writer.WriteNumber("value"u8, arg.Value);
        Num(writer, "valueTwo"u8, arg.ValueTwo);
        Str(writer, "op"u8, arg.Op);
        EndObject(writer, arg.Extensions);
    }
}
