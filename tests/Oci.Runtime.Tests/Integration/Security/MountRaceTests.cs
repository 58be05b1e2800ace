using Oci.Runtime.Tests.Integration.ContainerEnvironment;
using Xunit;

namespace Oci.Runtime.Tests.Integration.Security;

/// <summary>CVE-2021-30465 class: a neighbour that shares a volume with the container swaps a mount's destination
/// between a directory and a symlink while the container is made. Whatever it does, a mount the config asks to be
/// read-only must never be writable in the container.</summary>
[Collection(SecurityCollection.Name)]
public sealed class MountRaceTests
{
    /// <summary>A fixed number of attempts, no time limit: before the fix about one in ten gave a writable mount.</summary>
    const int Attempts = 200;

    [ContainerFact]
    public void A_read_only_bind_is_never_writable_while_a_neighbour_swaps_its_destination()
    {
        using var h = new OciRunHarness();
        // V is the shared volume (/vol, read-write); S is the host directory that must stay read-only (/vol/x). S is
        // a tmpfs of its own with a unique source name, so that the container's mountinfo shows every mount of it.
        string volume = Env.HostDirectory(h, "V");
        string secret = Env.HostDirectory(h, "S");
        string sourceName = "oci-race-" + Guid.NewGuid().ToString("N")[..8];
        Env.Shell($"mount -t tmpfs -o size=1m {sourceName} {secret}");
        try
        {
            Directory.CreateDirectory(Path.Combine(volume, "x"));
            File.CreateSymbolicLink(Path.Combine(volume, "l"), "/vol");
            // Write wherever S can have ended up (the directory mounted on keeps its mount when renamed), then show
            // the mounts.
            var spec = Env.Sh("for d in /vol/x /vol/l /vol; do touch \"$d/probe\" 2>/dev/null; done; cat /proc/self/mountinfo");
            spec.Mounts!.Add(Env.Bind(volume, "/vol", "rw"));
            spec.Mounts.Add(Env.Bind(secret, "/vol/x", "ro"));
            string bundle = h.WriteBundle(spec);

            var writable = new List<string>();
            int made = 0;
            using var stop = new CancellationTokenSource();
            var swapper = new Thread(() => SwapUntilStopped(volume, stop.Token)) { IsBackground = true };
            swapper.Start();
            try
            {
                for (int attempt = 0; attempt < Attempts; attempt++)
                {
                    var result = h.Run("run", "--bundle", bundle, h.NewId("race"));
                    // A container that could not be made has nothing to write through.
                    if (result.ExitCode != 0) continue;
                    made++;
                    foreach (var line in result.Stdout.Split('\n'))
                    {
                        var fields = line.Split(' ');
                        int dash = Array.IndexOf(fields, "-");
                        if (dash < 0 || fields.Length < dash + 3 || fields[dash + 2] != sourceName) continue;
                        if (!fields[5].Split(',').Contains("ro")) writable.Add($"attempt {attempt}: {line}");
                    }
                }
            }
            finally
            {
                stop.Cancel();
                swapper.Join();
            }
            Assert.True(made > 0, "no attempt made a container: the race was not exercised");
            Assert.True(writable.Count == 0, $"{writable.Count} of {made} containers had S writable:\n{string.Join('\n', writable)}");
            Assert.Empty(Directory.GetFileSystemEntries(secret));
        }
        finally
        {
            Env.Shell($"umount {secret}");
        }
    }

    /// <summary>Keeps swapping V/x between the directory and a symlink to /vol, as a process sharing V could:
    /// renameat2(RENAME_EXCHANGE) with V/l, so that V/x always exists, one or the other.</summary>
    static void SwapUntilStopped(string volume, CancellationToken stop)
    {
        const int AT_FDCWD = -100, RENAME_EXCHANGE = 2;
        string x = Path.Combine(volume, "x"), link = Path.Combine(volume, "l");
        while (!stop.IsCancellationRequested) renameat2(AT_FDCWD, x, AT_FDCWD, link, RENAME_EXCHANGE);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    static extern int renameat2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);
}
