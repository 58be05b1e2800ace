namespace Oci.Runtime.Spec;

// The hand-written spec reader (see SpecReader.cs: it replaces the serializer's metadata, whose building cost a
// quarter of `oci-run run`): the top of config.json, its root and its mounts.
internal static partial class SpecReader
{
    private static RuntimeSpec? ReadRuntimeSpec(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var spec = new RuntimeSpec();
        bool ociVersion = false;
        while (c.NextProperty())
        {
            if (c.Property("ociVersion")) { spec.OciVersion = c.String(); ociVersion = true; }
            else if (c.Property("root")) spec.Root = ReadRoot(ref c);
            else if (c.Property("mounts")) spec.Mounts = c.ObjectList(ReadMount);
            else if (c.Property("process")) spec.Process = ReadProcessObject(ref c);
            else if (c.Property("hostname")) spec.Hostname = c.NullableString();
            else if (c.Property("domainname")) spec.Domainname = c.NullableString();
            else if (c.Property("hooks")) spec.Hooks = ReadHooksObject(ref c);
            else if (c.Property("annotations")) spec.Annotations = c.StringMap();
            else if (c.Property("linux")) spec.Linux = ReadLinux(ref c);
            else spec.Extensions = c.Unknown(spec.Extensions);
            c.EndProperty();
        }
        if (!ociVersion) throw c.Missing("ociVersion");
        return spec;
    }

    private static Root? ReadRoot(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var root = new Root();
        bool path = false;
        while (c.NextProperty())
        {
            if (c.Property("path")) { root.Path = c.String(); path = true; }
            else if (c.Property("readonly")) root.Readonly = c.NullableBool();
            else root.Extensions = c.Unknown(root.Extensions);
            c.EndProperty();
        }
        if (!path) throw c.Missing("path");
        return root;
    }

    private static Mount? ReadMount(ref Cursor c)
    {
        if (!c.StartObject()) return null;
        var mount = new Mount();
        bool destination = false;
        while (c.NextProperty())
        {
            if (c.Property("destination")) { mount.Destination = c.String(); destination = true; }
            else if (c.Property("type")) mount.Type = c.NullableString();
            else if (c.Property("source")) mount.Source = c.NullableString();
            else if (c.Property("options")) mount.Options = c.StringList();
            else if (c.Property("uidMappings")) mount.UidMappings = c.ObjectList(ReadIdMapping);
            else if (c.Property("gidMappings")) mount.GidMappings = c.ObjectList(ReadIdMapping);
            else mount.Extensions = c.Unknown(mount.Extensions);
            c.EndProperty();
        }
        if (!destination) throw c.Missing("destination");
        return mount;
    }
}
