namespace Oci.Runtime.Spec;

// The hand-written spec reader (see SpecReader.cs: it replaces the serializer's metadata, whose building cost a
// quarter of `oci-run run`): linux.seccomp.
internal static partial class SpecReader
{
    private static LinuxSeccomp? ReadSeccomp(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var seccomp = new LinuxSeccomp();
        bool defaultAction = false;
        while (c.NextProperty())
        {
            if (c.Property("defaultAction")) { seccomp.DefaultAction = c.String(); defaultAction = true; }
            else if (c.Property("defaultErrnoRet")) seccomp.DefaultErrnoRet = c.NullableUInt32();
            else if (c.Property("architectures")) seccomp.Architectures = c.StringList();
            else if (c.Property("flags")) seccomp.Flags = c.StringList();
            else if (c.Property("listenerPath")) seccomp.ListenerPath = c.NullableString();
            else if (c.Property("listenerMetadata")) seccomp.ListenerMetadata = c.NullableString();
            else if (c.Property("syscalls")) seccomp.Syscalls = c.ObjectList(ReadSyscall);
            else seccomp.Extensions = c.Unknown(seccomp.Extensions);
            c.EndProperty();
        }
        if (!defaultAction) throw c.Missing("defaultAction");
        return seccomp;
    }

    private static LinuxSyscall? ReadSyscall(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var syscall = new LinuxSyscall();
        bool names = false, action = false;
        while (c.NextProperty())
        {
            if (c.Property("names")) { syscall.Names = c.RequiredStringList(); names = true; }
            else if (c.Property("action")) { syscall.Action = c.String(); action = true; }
            else if (c.Property("errnoRet")) syscall.ErrnoRet = c.NullableUInt32();
            else if (c.Property("args")) syscall.Args = c.ObjectList(ReadSeccompArg);
            else syscall.Extensions = c.Unknown(syscall.Extensions);
            c.EndProperty();
        }
        if (!names || !action) throw c.Missing(names ? null : "names", action ? null : "action");
        return syscall;
    }

    private static LinuxSeccompArg? ReadSeccompArg(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var arg = new LinuxSeccompArg();
        bool index = false, value = false, op = false;
        while (c.NextProperty())
        {
            if (c.Property("index")) { arg.Index = c.UInt32(); index = true; }
            else if (c.Property("value")) { arg.Value = c.UInt64(); value = true; }
            else if (c.Property("valueTwo")) arg.ValueTwo = c.NullableUInt64();
            else if (c.Property("op")) { arg.Op = c.String(); op = true; }
            else arg.Extensions = c.Unknown(arg.Extensions);
            c.EndProperty();
        }
        if (!index || !value || !op) throw c.Missing(index ? null : "index", value ? null : "value", op ? null : "op");
        return arg;
    }
}
