using Tmds.DBus.Protocol;

namespace Oci.Runtime.Cgroups.Systemd;

/// <summary>
/// The calls the systemd cgroup driver makes to systemd's manager (org.freedesktop.systemd1.Manager) over D-Bus:
/// start a transient unit, set its properties, stop it, reset its failed state, and wait for the jobs they queue.
/// As runc does as root, it talks to systemd through the system bus (<c>DBUS_SYSTEM_BUS_ADDRESS</c>, or
/// <c>/run/dbus/system_bus_socket</c>).
/// </summary>
internal sealed class SystemdBus : IDisposable
{
    const string Service = "org.freedesktop.systemd1", ObjectPath = "/org/freedesktop/systemd1";
    const string ManagerInterface = "org.freedesktop.systemd1.Manager";

    /// <summary>How long a job may take before the driver gives up on it (runc waits 30 s too).</summary>
    static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(30);

    readonly DBusConnection connection;
    readonly Dictionary<string, string> finishedJobs = new(StringComparer.Ordinal);
    IDisposable? jobWatch;

    SystemdBus(DBusConnection connection) => this.connection = connection;

    /// <summary>The bus address used: <paramref name="address"/>, or the system bus's.</summary>
    public static string Address(string? address) =>
        address ?? DBusAddress.System ?? "unix:path=/run/dbus/system_bus_socket";

    /// <summary>Connects to systemd through the bus at <paramref name="address"/> (the system bus when null).</summary>
    /// <exception cref="OciException">The bus cannot be reached.</exception>
    public static SystemdBus Connect(string? address = null)
    {
        string bus = Address(address);
        var connection = new DBusConnection(bus);
        try
        {
            connection.ConnectAsync().AsTask().GetAwaiter().GetResult();
            return new SystemdBus(connection);
        }
        catch (Exception e) when (e is DBusExceptionBase or IOException or System.Net.Sockets.SocketException)
        {
            connection.Dispose();
            throw new OciException($"--systemd-cgroup: cannot reach systemd through the D-Bus system bus {bus}: {e.Message}", e);
        }
    }

    /// <summary>systemd's version number (252 for "252.38-1~deb12u1").</summary>
    public int Version()
    {
        var value = Call("org.freedesktop.DBus.Properties", "Get", "ss",
            (ref MessageWriter w) => { w.WriteString(ManagerInterface); w.WriteString("Version"); },
            static (Message m, object? _) => m.GetBodyReader().ReadVariantValue().GetString());
        int digits = 0;
        while (digits < value.Length && char.IsAsciiDigit(value[digits])) digits++;
        return digits > 0 && int.TryParse(value.AsSpan(0, digits), out int version) ? version : 0;
    }

    /// <summary>Starts transient unit <paramref name="unit"/> with <paramref name="properties"/> and waits for its
    /// start job.</summary>
    public void StartTransientUnit(string unit, IReadOnlyList<UnitProperty> properties)
    {
        WatchJobs();
        string job = Call(ManagerInterface, "StartTransientUnit", "ssa(sv)a(sa(sv))", (ref MessageWriter w) =>
        {
            w.WriteString(unit);
            w.WriteString("replace");
            WriteProperties(ref w, properties);
            w.WriteArrayEnd(w.WriteArrayStart(DBusType.Struct));
        }, static (Message m, object? _) => m.GetBodyReader().ReadObjectPathAsString());
        string result = WaitForJob(job);
        if (result != "done") throw new OciException($"systemd: starting unit {unit}: the job ended \"{result}\"");
    }

    /// <summary>Sets <paramref name="properties"/> on <paramref name="unit"/> for its lifetime (not persisted).</summary>
    public void SetUnitProperties(string unit, IReadOnlyList<UnitProperty> properties)
    {
        if (properties.Count == 0) return;
        Call<bool>(ManagerInterface, "SetUnitProperties", "sba(sv)", (ref MessageWriter w) =>
        {
            w.WriteString(unit);
            w.WriteBool(true);
            WriteProperties(ref w, properties);
        }, null);
    }

    /// <summary>Stops <paramref name="unit"/> and waits for the job; a unit that is not loaded is stopped already.</summary>
    public void StopUnit(string unit)
    {
        WatchJobs();
        string job;
        try
        {
            job = Call(ManagerInterface, "StopUnit", "ss", (ref MessageWriter w) => { w.WriteString(unit); w.WriteString("replace"); },
                static (Message m, object? _) => m.GetBodyReader().ReadObjectPathAsString());
        }
        catch (OciException e) when (e.InnerException is DBusErrorReplyException { ErrorName: "org.freedesktop.systemd1.NoSuchUnit" })
        {
            return;
        }
        string result = WaitForJob(job);
        if (result is not ("done" or "skipped")) throw new OciException($"systemd: stopping unit {unit}: the job ended \"{result}\"");
    }

    /// <summary>Forgets a failed unit (a scope whose processes were killed ends "failed"), so that its name is free.</summary>
    public void ResetFailedUnit(string unit)
    {
        try
        {
            Call<bool>(ManagerInterface, "ResetFailedUnit", "s", (ref MessageWriter w) => w.WriteString(unit), null);
        }
        catch (OciException e) when (e.InnerException is DBusErrorReplyException)
        {
            // Not loaded or not failed: nothing to reset.
        }
    }

    /// <summary>Whether <paramref name="unit"/> is loaded.</summary>
    public bool UnitLoaded(string unit)
    {
        try
        {
            Call(ManagerInterface, "GetUnit", "s", (ref MessageWriter w) => w.WriteString(unit),
                static (Message m, object? _) => m.GetBodyReader().ReadObjectPathAsString());
            return true;
        }
        catch (OciException e) when (e.InnerException is DBusErrorReplyException { ErrorName: "org.freedesktop.systemd1.NoSuchUnit" })
        {
            return false;
        }
    }

    delegate void BodyWriter(ref MessageWriter writer);

    T Call<T>(string @interface, string member, string signature, BodyWriter body, MessageValueReader<T>? reader)
    {
        MessageBuffer message;
        var writer = connection.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader(Service, ObjectPath, @interface, member, signature, MessageFlags.None);
            body(ref writer);
            message = writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }
        try
        {
            if (reader is null)
            {
                connection.CallMethodAsync(message).GetAwaiter().GetResult();
                return default!;
            }
            return connection.CallMethodAsync(message, reader, null).GetAwaiter().GetResult();
        }
        catch (DBusExceptionBase e)
        {
            throw new OciException($"systemd: {member}: {e.Message}", e);
        }
    }

    /// <summary>Subscribes (once) to JobRemoved, which systemd sends to subscribed clients when a job ends, and
    /// records every job's result: a job may end before its method call returns.</summary>
    void WatchJobs()
    {
        if (jobWatch is not null) return;
        jobWatch = connection.WatchSignalAsync(null, ObjectPath, ManagerInterface, "JobRemoved",
            static (Message m, object? _) =>
            {
                var r = m.GetBodyReader();
                r.ReadUInt32();
                string job = r.ReadObjectPathAsString();
                r.ReadString();
                return (Job: job, Result: r.ReadString());
            },
            (Notification<(string Job, string Result)> removed) =>
            {
                if (!removed.HasValue) return;
                lock (finishedJobs)
                {
                    finishedJobs[removed.Value.Job] = removed.Value.Result;
                    Monitor.PulseAll(finishedJobs);
                }
            }, ObserverFlags.None, false, null).AsTask().GetAwaiter().GetResult();
        Call<bool>(ManagerInterface, "Subscribe", "", (ref MessageWriter _) => { }, null);
    }

    string WaitForJob(string job)
    {
        var deadline = DateTime.UtcNow + JobTimeout;
        lock (finishedJobs)
        {
            while (!finishedJobs.ContainsKey(job))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) throw new OciException($"systemd: job {job} did not finish within {JobTimeout.TotalSeconds} s");
                Monitor.Wait(finishedJobs, left);
            }
            return finishedJobs[job];
        }
    }

    static void WriteProperties(ref MessageWriter w, IReadOnlyList<UnitProperty> properties)
    {
        var array = w.WriteArrayStart(DBusType.Struct);
        foreach (var property in properties)
        {
            w.WriteStructureStart();
            w.WriteString(property.Name);
            switch (property.Value)
            {
                case string s: w.WriteVariantString(s); break;
                case bool b: w.WriteVariantBool(b); break;
                case ulong t: w.WriteVariantUInt64(t); break;
                case uint[] au: w.WriteSignature("au"); w.WriteArray(au); break;
                case byte[] ay: w.WriteSignature("ay"); w.WriteArray(ay); break;
                case DeviceAllow[] entries:
                    w.WriteSignature("a(ss)");
                    var inner = w.WriteArrayStart(DBusType.Struct);
                    foreach (var entry in entries)
                    {
                        w.WriteStructureStart();
                        w.WriteString(entry.Path);
                        w.WriteString(entry.Access);
                    }
                    w.WriteArrayEnd(inner);
                    break;
                default: throw new ArgumentException($"unit property {property.Name}: no D-Bus type for {property.Value.GetType().Name}");
            }
        }
        w.WriteArrayEnd(array);
    }

    public void Dispose()
    {
        jobWatch?.Dispose();
        connection.Dispose();
    }
}
