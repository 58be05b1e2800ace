using System.Buffers;
using System.Text.Json;
using Oci.Runtime.Seccomp;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Init;

/// <summary>
/// <see cref="InitConfig"/> and <see cref="InitMessage"/> on the bootstrap socket, written and read by hand with
/// <see cref="Utf8JsonWriter"/> and <see cref="Utf8JsonReader"/>. Both ends are short-lived processes that do this
/// once: System.Text.Json's serializer would build its metadata for these types (and, through them, for the spec's)
/// at run time in each, which cost more CPU than the messages' whole journey. The spec travels as its own JSON text.
/// </summary>
internal static class InitWire
{
    /// <summary>Writes a config for init, and lists the descriptors to send with it: <see cref="InitConfig.ExecFifoFd"/>
    /// and <see cref="InitConfig.ConsoleSocketFd"/> are the sender's descriptors, written as their index in that
    /// list.</summary>
    public static (byte[] Json, int[] Fds) Write(InitConfig config)
    {
        var fds = new List<int>();
        int Attach(int fd)
        {
            if (fd < 0) return -1;
            fds.Add(fd);
            return fds.Count - 1;
        }
        var buffer = new ArrayBufferWriter<byte>(4096 + config.SpecJson.Length);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = MinimalJsonEncoder.Instance }))
        {
            w.WriteStartObject();
            w.WriteString("containerId"u8, config.ContainerId);
            w.WritePropertyName("spec"u8);
            w.WriteRawValue(config.SpecJson, skipInputValidation: true);
            if (config.ProcessJson is { } process)
            {
                w.WritePropertyName("process"u8);
                w.WriteRawValue(process, skipInputValidation: true);
            }
            w.WriteString("bundle"u8, config.Bundle);
            w.WriteString("rootfs"u8, config.Rootfs);
            w.WriteBoolean("isExec"u8, config.IsExec);
            w.WriteBoolean("noPivot"u8, config.NoPivot);
            w.WriteBoolean("noNewKeyring"u8, config.NoNewKeyring);
            w.WriteBoolean("newMountNamespace"u8, config.NewMountNamespace);
            w.WriteBoolean("newUserNamespace"u8, config.NewUserNamespace);
            w.WriteBoolean("newUtsNamespace"u8, config.NewUtsNamespace);
            w.WriteBoolean("newCgroupNamespace"u8, config.NewCgroupNamespace);
            w.WriteNumber("firstRuntimeFd"u8, config.FirstRuntimeFd);
            w.WriteNumber("execFifoFd"u8, Attach(config.ExecFifoFd));
            w.WriteNumber("consoleSocketFd"u8, Attach(config.ConsoleSocketFd));
            WriteMap(w, "cgroupPaths"u8, config.CgroupPaths);
            WriteMap(w, "cgroupMountPoints"u8, config.CgroupMountPoints);
            if (config.Seccomp is { } seccomp)
            {
                w.WriteStartObject("seccomp"u8);
                w.WriteBase64String("filter"u8, seccomp.Filter);
                w.WriteNumber("flags"u8, seccomp.Flags);
                w.WriteEndObject();
            }
            w.WritePropertyName("hookState"u8);
            w.WriteRawValue(SpecLoader.SerializeState(config.HookState), skipInputValidation: true);
            w.WriteEndObject();
        }
        return (buffer.WrittenSpan.ToArray(), [.. fds]);
    }

    /// <summary>Reads a config written by <see cref="Write(InitConfig)"/>; <paramref name="fds"/> are the descriptors
    /// that came with it, which become its <see cref="InitConfig.ExecFifoFd"/> and
    /// <see cref="InitConfig.ConsoleSocketFd"/>.</summary>
    public static InitConfig ReadConfig(ReadOnlySpan<byte> utf8Json, IReadOnlyList<int> fds)
    {
        InitConfig config;
        try
        {
            config = ReadConfigUnchecked(utf8Json);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw Protocol(e.Message);
        }
        int Resolve(int index) => index < 0 ? -1
            : index < fds.Count ? fds[index]
            : throw Protocol($"descriptor {index} of {fds.Count} was not sent");
        config.ExecFifoFd = Resolve(config.ExecFifoFd);
        config.ConsoleSocketFd = Resolve(config.ConsoleSocketFd);
        return config;
    }

    static InitConfig ReadConfigUnchecked(ReadOnlySpan<byte> utf8Json)
    {
        var r = Start(utf8Json);
        var config = new InitConfig();
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("containerId"u8)) config.ContainerId = String(ref r);
            else if (r.ValueTextEquals("spec"u8)) config.SpecJson = RawValue(ref r, utf8Json);
            else if (r.ValueTextEquals("process"u8)) config.ProcessJson = RawValue(ref r, utf8Json);
            else if (r.ValueTextEquals("bundle"u8)) config.Bundle = String(ref r);
            else if (r.ValueTextEquals("rootfs"u8)) config.Rootfs = String(ref r);
            else if (r.ValueTextEquals("isExec"u8)) config.IsExec = Boolean(ref r);
            else if (r.ValueTextEquals("noPivot"u8)) config.NoPivot = Boolean(ref r);
            else if (r.ValueTextEquals("noNewKeyring"u8)) config.NoNewKeyring = Boolean(ref r);
            else if (r.ValueTextEquals("newMountNamespace"u8)) config.NewMountNamespace = Boolean(ref r);
            else if (r.ValueTextEquals("newUserNamespace"u8)) config.NewUserNamespace = Boolean(ref r);
            else if (r.ValueTextEquals("newUtsNamespace"u8)) config.NewUtsNamespace = Boolean(ref r);
            else if (r.ValueTextEquals("newCgroupNamespace"u8)) config.NewCgroupNamespace = Boolean(ref r);
            else if (r.ValueTextEquals("firstRuntimeFd"u8)) config.FirstRuntimeFd = Int32(ref r);
            else if (r.ValueTextEquals("execFifoFd"u8)) config.ExecFifoFd = Int32(ref r);
            else if (r.ValueTextEquals("consoleSocketFd"u8)) config.ConsoleSocketFd = Int32(ref r);
            else if (r.ValueTextEquals("cgroupPaths"u8)) config.CgroupPaths = Map(ref r);
            else if (r.ValueTextEquals("cgroupMountPoints"u8)) config.CgroupMountPoints = Map(ref r);
            else if (r.ValueTextEquals("seccomp"u8)) config.Seccomp = Seccomp(ref r);
            else if (r.ValueTextEquals("hookState"u8)) config.HookState = State(ref r);
            else Skip(ref r);
        }
        return config;
    }

    /// <summary>Writes a message between init and the runtime.</summary>
    public static byte[] Write(InitMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = MinimalJsonEncoder.Instance }))
        {
            w.WriteStartObject();
            w.WriteString("type"u8, message.Type);
            if (message.Message is { } text) w.WriteString("message"u8, text);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a message written by <see cref="Write(InitMessage)"/>.</summary>
    public static InitMessage ReadMessage(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var r = Start(utf8Json);
            var message = new InitMessage();
            while (NextProperty(ref r))
            {
                if (r.ValueTextEquals("type"u8)) message.Type = String(ref r);
                else if (r.ValueTextEquals("message"u8)) message.Message = String(ref r);
                else Skip(ref r);
            }
            return message;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw Protocol(e.Message);
        }
    }

    static Utf8JsonReader Start(ReadOnlySpan<byte> utf8Json)
    {
        var r = new Utf8JsonReader(utf8Json);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) throw Protocol("expected an object");
        return r;
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    static bool NextProperty(ref Utf8JsonReader r)
    {
        if (!r.Read()) throw Protocol("unexpected end of message");
        if (r.TokenType == JsonTokenType.EndObject) return false;
        if (r.TokenType != JsonTokenType.PropertyName) throw Protocol($"expected a property, found {r.TokenType}");
        return true;
    }

    static void Value(ref Utf8JsonReader r)
    {
        if (!r.Read()) throw Protocol("unexpected end of message");
    }

    static void Skip(ref Utf8JsonReader r)
    {
        Value(ref r);
        r.Skip();
    }

    static string String(ref Utf8JsonReader r)
    {
        Value(ref r);
        return r.GetString() ?? "";
    }

    static bool Boolean(ref Utf8JsonReader r)
    {
        Value(ref r);
        return r.GetBoolean();
    }

    static int Int32(ref Utf8JsonReader r)
    {
        Value(ref r);
        return r.GetInt32();
    }

    /// <summary>The raw bytes of the next value (an object or array).</summary>
    static byte[] RawValue(ref Utf8JsonReader r, ReadOnlySpan<byte> document)
    {
        Value(ref r);
        int start = (int)r.TokenStartIndex;
        r.Skip();
        return document[start..(int)r.BytesConsumed].ToArray();
    }

    static Dictionary<string, string> Map(ref Utf8JsonReader r)
    {
        Value(ref r);
        var map = new Dictionary<string, string>();
        if (r.TokenType != JsonTokenType.StartObject) throw Protocol("expected an object");
        while (NextProperty(ref r))
        {
            string key = r.GetString()!;
            map[key] = String(ref r);
        }
        return map;
    }

    static SeccompProgram Seccomp(ref Utf8JsonReader r)
    {
        Value(ref r);
        byte[] filter = [];
        uint flags = 0;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("filter"u8))
            {
                Value(ref r);
                filter = r.GetBytesFromBase64();
            }
            else if (r.ValueTextEquals("flags"u8))
            {
                Value(ref r);
                flags = r.GetUInt32();
            }
            else Skip(ref r);
        }
        return new SeccompProgram(filter, flags);
    }

    /// <summary>The state document for hooks, as <see cref="SpecLoader.SerializeState"/> wrote it.</summary>
    static ContainerStateDocument State(ref Utf8JsonReader r)
    {
        Value(ref r);
        var state = new ContainerStateDocument();
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("ociVersion"u8)) state.OciVersion = String(ref r);
            else if (r.ValueTextEquals("id"u8)) state.Id = String(ref r);
            else if (r.ValueTextEquals("status"u8)) state.Status = String(ref r);
            else if (r.ValueTextEquals("pid"u8)) state.Pid = Int32(ref r);
            else if (r.ValueTextEquals("bundle"u8)) state.Bundle = String(ref r);
            else if (r.ValueTextEquals("annotations"u8)) state.Annotations = Map(ref r);
            else if (r.ValueTextEquals("rootfs"u8)) state.Rootfs = String(ref r);
            else if (r.ValueTextEquals("created"u8)) state.Created = String(ref r);
            else if (r.ValueTextEquals("owner"u8)) state.Owner = String(ref r);
            else Skip(ref r);
        }
        return state;
    }

    static void WriteMap(Utf8JsonWriter w, ReadOnlySpan<byte> name, Dictionary<string, string> map)
    {
        w.WriteStartObject(name);
        foreach (var (key, value) in map) w.WriteString(key, value);
        w.WriteEndObject();
    }

    static OciException Protocol(string problem) => new($"init protocol: {problem}");
}
