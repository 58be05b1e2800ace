namespace Oci.Runtime.Spec;

// The hand-written spec reader (see SpecReader.cs: it replaces the serializer's metadata, whose building cost a
// quarter of `oci-run run`): the process, for config.json and for `exec --process`.
internal static partial class SpecReader
{
    private static Process? ReadProcessObject(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var process = new Process();
        bool cwd = false;
        while (c.NextProperty())
        {
            if (c.Property("terminal")) process.Terminal = c.NullableBool();
            else if (c.Property("consoleSize")) process.ConsoleSize = ReadBox(ref c);
            else if (c.Property("user")) process.UserOrNull = ReadUser(ref c);
            else if (c.Property("args")) process.Args = c.StringList();
            else if (c.Property("commandLine")) process.CommandLine = c.NullableString();
            else if (c.Property("env")) process.Env = c.StringList();
            else if (c.Property("cwd")) { process.Cwd = c.String(); cwd = true; }
            else if (c.Property("capabilities")) process.Capabilities = ReadCapabilities(ref c);
            else if (c.Property("rlimits")) process.Rlimits = c.ObjectList(ReadRlimit);
            else if (c.Property("noNewPrivileges")) process.NoNewPrivileges = c.NullableBool();
            else if (c.Property("apparmorProfile")) process.ApparmorProfile = c.NullableString();
            else if (c.Property("oomScoreAdj")) process.OomScoreAdj = c.NullableInt32();
            else if (c.Property("selinuxLabel")) process.SelinuxLabel = c.NullableString();
            else if (c.Property("ioPriority")) process.IOPriority = ReadIOPriority(ref c);
            else if (c.Property("scheduler")) process.Scheduler = ReadScheduler(ref c);
            else if (c.Property("execCPUAffinity")) process.ExecCpuAffinity = ReadCpuAffinity(ref c);
            // The [JsonIgnore] property keeps its CLR name in the serializer's table: its value is skipped, not kept.
            else if (c.Property("User")) c.Skip();
            else process.Extensions = c.Unknown(process.Extensions);
            c.EndProperty();
        }
        if (!cwd) throw c.Missing("cwd");
        return process;
    }

    private static Box? ReadBox(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var box = new Box();
        bool height = false, width = false;
        while (c.NextProperty())
        {
            if (c.Property("height")) { box.Height = c.UInt32(); height = true; }
            else if (c.Property("width")) { box.Width = c.UInt32(); width = true; }
            else box.Extensions = c.Unknown(box.Extensions);
            c.EndProperty();
        }
        if (!height || !width) throw c.Missing(height ? null : "height", width ? null : "width");
        return box;
    }

    private static User? ReadUser(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var user = new User();
        while (c.NextProperty())
        {
            if (c.Property("uid")) user.Uid = c.UInt32();
            else if (c.Property("gid")) user.Gid = c.UInt32();
            else if (c.Property("umask")) user.Umask = c.NullableUInt32();
            else if (c.Property("additionalGids")) user.AdditionalGids = c.UInt32List();
            else if (c.Property("username")) user.Username = c.NullableString();
            else user.Extensions = c.Unknown(user.Extensions);
            c.EndProperty();
        }
        return user;
    }

    private static LinuxCapabilities? ReadCapabilities(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var capabilities = new LinuxCapabilities();
        while (c.NextProperty())
        {
            if (c.Property("bounding")) capabilities.Bounding = c.StringList();
            else if (c.Property("effective")) capabilities.Effective = c.StringList();
            else if (c.Property("inheritable")) capabilities.Inheritable = c.StringList();
            else if (c.Property("permitted")) capabilities.Permitted = c.StringList();
            else if (c.Property("ambient")) capabilities.Ambient = c.StringList();
            else capabilities.Extensions = c.Unknown(capabilities.Extensions);
            c.EndProperty();
        }
        return capabilities;
    }

    private static PosixRlimit? ReadRlimit(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var rlimit = new PosixRlimit();
        bool type = false, hard = false, soft = false;
        while (c.NextProperty())
        {
            if (c.Property("type")) { rlimit.Type = c.String(); type = true; }
            else if (c.Property("hard")) { rlimit.Hard = c.UInt64(); hard = true; }
            else if (c.Property("soft")) { rlimit.Soft = c.UInt64(); soft = true; }
            else rlimit.Extensions = c.Unknown(rlimit.Extensions);
            c.EndProperty();
        }
        if (!type || !hard || !soft) throw c.Missing(type ? null : "type", hard ? null : "hard", soft ? null : "soft");
        return rlimit;
    }

    private static LinuxIOPriority? ReadIOPriority(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var priority = new LinuxIOPriority();
        bool @class = false;
        while (c.NextProperty())
        {
            if (c.Property("class")) { priority.Class = c.String(); @class = true; }
            else if (c.Property("priority")) priority.Priority = c.Int32();
            else priority.Extensions = c.Unknown(priority.Extensions);
            c.EndProperty();
        }
        if (!@class) throw c.Missing("class");
        return priority;
    }

    private static LinuxScheduler? ReadScheduler(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var scheduler = new LinuxScheduler();
        bool policy = false;
        while (c.NextProperty())
        {
            if (c.Property("policy")) { scheduler.Policy = c.String(); policy = true; }
            else if (c.Property("nice")) scheduler.Nice = c.NullableInt32();
            else if (c.Property("priority")) scheduler.Priority = c.NullableInt32();
            else if (c.Property("flags")) scheduler.Flags = c.StringList();
            else if (c.Property("runtime")) scheduler.Runtime = c.NullableUInt64();
            else if (c.Property("deadline")) scheduler.Deadline = c.NullableUInt64();
            else if (c.Property("period")) scheduler.Period = c.NullableUInt64();
            else scheduler.Extensions = c.Unknown(scheduler.Extensions);
            c.EndProperty();
        }
        if (!policy) throw c.Missing("policy");
        return scheduler;
    }

    private static CpuAffinity? ReadCpuAffinity(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var affinity = new CpuAffinity();
        while (c.NextProperty())
        {
            if (c.Property("initial")) affinity.Initial = c.NullableString();
            else if (c.Property("final")) affinity.Final = c.NullableString();
            else affinity.Extensions = c.Unknown(affinity.Extensions);
            c.EndProperty();
        }
        return affinity;
    }
}
