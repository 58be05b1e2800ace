namespace Oci.Runtime.Spec;

// The hand-written spec reader (see SpecReader.cs: it replaces the serializer's metadata, whose building cost a
// quarter of `oci-run run`): the lifecycle hooks, for config.json and for the hooks of a stored config.
internal static partial class SpecReader
{
    private static Hooks? ReadHooksObject(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var hooks = new Hooks();
        while (c.NextProperty())
        {
            if (c.Property("prestart")) hooks.Prestart = c.ObjectList(ReadHook);
            else if (c.Property("createRuntime")) hooks.CreateRuntime = c.ObjectList(ReadHook);
            else if (c.Property("createContainer")) hooks.CreateContainer = c.ObjectList(ReadHook);
            else if (c.Property("startContainer")) hooks.StartContainer = c.ObjectList(ReadHook);
            else if (c.Property("poststart")) hooks.Poststart = c.ObjectList(ReadHook);
            else if (c.Property("poststop")) hooks.Poststop = c.ObjectList(ReadHook);
            else hooks.Extensions = c.Unknown(hooks.Extensions);
            c.EndProperty();
        }
        return hooks;
    }

    private static Hook? ReadHook(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var hook = new Hook();
        bool path = false;
        while (c.NextProperty())
        {
            if (c.Property("path")) { hook.Path = c.String(); path = true; }
            else if (c.Property("args")) hook.Args = c.StringList();
            else if (c.Property("env")) hook.Env = c.StringList();
            else if (c.Property("timeout")) hook.Timeout = c.NullableInt32();
            else hook.Extensions = c.Unknown(hook.Extensions);
            c.EndProperty();
        }
        if (!path) throw c.Missing("path");
        return hook;
    }
}
