namespace Oci.Runtime.Tests.Integration;

/// <summary>A root filesystem of Debian's static busybox with its applets, made once per test run and shared
/// read-only by the bundles (each bundle points root.path at it).</summary>
public static class BusyboxRootfs
{
    static readonly Lazy<string> Shared = new(Make);

    /// <summary>The rootfs directory.</summary>
    public static string Path => Shared.Value;

    /// <summary>A statically linked busybox on this host, or null.</summary>
    public static string? FindBusybox()
    {
        foreach (var candidate in new[] { "/bin/busybox", "/usr/bin/busybox" })
        {
            if (!File.Exists(candidate)) continue;
            // A dynamically linked busybox would need the host's libraries inside the rootfs. (Debian's static
            // busybox contains the text "ld-linux" too, so look for an ELF interpreter, not for the name.)
            if (!HasElfInterpreter(File.ReadAllBytes(candidate))) return candidate;
        }
        return null;
    }

    /// <summary>Whether a 64-bit little-endian ELF file has a PT_INTERP program header (is dynamically linked).</summary>
    static bool HasElfInterpreter(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2) return true;
        long phoff = BitConverter.ToInt64(elf, 32);
        int phentsize = BitConverter.ToUInt16(elf, 54), phnum = BitConverter.ToUInt16(elf, 56);
        for (int i = 0; i < phnum; i++)
        {
            long at = phoff + (long)i * phentsize;
            if (at + 4 > elf.Length) return true;
            if (BitConverter.ToUInt32(elf, (int)at) == 3) return true; // PT_INTERP
        }
        return false;
    }

    static string Make()
    {
        string busybox = FindBusybox() ?? throw new InvalidOperationException("no static busybox");
        string root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"oci-run-tests-rootfs-{Environment.ProcessId}");
        foreach (var dir in new[] { "bin", "dev", "proc", "sys", "tmp", "etc", "root", "run", "var", "home/user" })
            Directory.CreateDirectory(System.IO.Path.Combine(root, dir));
        File.Copy(busybox, System.IO.Path.Combine(root, "bin", "busybox"), overwrite: true);
        var list = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(busybox, "--list") { RedirectStandardOutput = true })!;
        string applets = list.StandardOutput.ReadToEnd();
        list.WaitForExit();
        foreach (var applet in applets.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string link = System.IO.Path.Combine(root, "bin", applet);
            if (applet != "busybox" && !File.Exists(link)) File.CreateSymbolicLink(link, "busybox");
        }
        File.WriteAllText(System.IO.Path.Combine(root, "etc", "passwd"),
            "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        File.WriteAllText(System.IO.Path.Combine(root, "etc", "group"), "root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        };
        return root;
    }
}
