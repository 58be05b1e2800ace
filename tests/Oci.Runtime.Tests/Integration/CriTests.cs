using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Grpc.Net.Client;
using Oci.Runtime.Cgroups;
using Oci.Runtime.Tests.Integration.ContainerEnvironment;
using Xunit;
using Cri = Runtime.V1;

namespace Oci.Runtime.Tests.Integration;

/// <summary>The CRI path end to end, driven as the kubelet drives it: a gRPC client of containerd's CRI API (generated
/// from the vendored <c>third_party/cri-api</c> proto) against a private containerd whose configuration carries
/// README.md's containerd snippet, with README's RuntimeClass handler as the pod's runtime handler. The pod has the
/// host's network (no CNI), a kubelet-style systemd cgroup parent (with <c>SystemdCgroup = false</c> the runc v2 shim
/// runs oci-run with the <c>slice:prefix:name</c> path and no <c>--systemd-cgroup</c>), and a container with a
/// Bidirectional and a HostToContainer mount. Images are built here and imported with <c>ctr images import</c>.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class CriTests
{
    const string PauseImage = "oci-run.test/pause:1";
    const string BusyboxImage = "oci-run.test/busybox:1";

    /// <summary>The kubelet's pause: waits for signals, reaps children, exits 0 on SIGINT or SIGTERM.</summary>
    const string PauseSource = """
        #include <signal.h>
        #include <sys/wait.h>
        #include <unistd.h>
        static void quit(int sig) { (void)sig; _exit(0); }
        static void reap(int sig) { (void)sig; while (waitpid(-1, 0, WNOHANG) > 0) {} }
        int main(void) {
            signal(SIGINT, quit);
            signal(SIGTERM, quit);
            signal(SIGCHLD, reap);
            for (;;) pause();
        }
        """;

    static CommandResult Exec(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return new CommandResult(process.ExitCode, stdout.Result, stderr);
    }

    static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>An OCI image layout archive of one uncompressed layer (the tree at <paramref name="rootfs"/>),
    /// named <paramref name="name"/> for <c>ctr images import</c>.</summary>
    internal static string ImageArchive(string work, string name, string rootfs, string[] entrypoint)
    {
        string dir = Path.Combine(work, "image-" + Guid.NewGuid().ToString("N")[..6]);
        string blobs = Path.Combine(dir, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        string layerTar = Path.Combine(work, Path.GetFileName(dir) + ".layer.tar");
        var tar = Exec("tar", "--numeric-owner", "-C", rootfs, "-cf", layerTar, ".");
        Assert.True(tar.ExitCode == 0, tar.ToString());
        byte[] layer = File.ReadAllBytes(layerTar);
        string Blob(byte[] data)
        {
            string digest = Sha256(data);
            File.WriteAllBytes(Path.Combine(blobs, digest), data);
            return "sha256:" + digest;
        }
        string layerDigest = Blob(layer);
        string entry = string.Join(",", entrypoint.Select(a => $"\"{a}\""));
        byte[] config = Encoding.UTF8.GetBytes(
            $$$"""{"architecture":"amd64","os":"linux","config":{"Entrypoint":[{{{entry}}}],"Env":["PATH=/bin:/sbin:/usr/bin:/usr/sbin"]},"rootfs":{"type":"layers","diff_ids":["{{{layerDigest}}}"]}}""");
        string configDigest = Blob(config);
        byte[] manifest = Encoding.UTF8.GetBytes(
            $$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{{configDigest}}}","size":{{{config.Length}}} },"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{{layerDigest}}}","size":{{{layer.Length}}} }]}""");
        string manifestDigest = Blob(manifest);
        File.WriteAllText(Path.Combine(dir, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        File.WriteAllText(Path.Combine(dir, "index.json"),
            $$$"""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{manifestDigest}}}","size":{{{manifest.Length}}},"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"{{{name}}}","org.opencontainers.image.ref.name":"1"}}]}""");
        string archive = dir + ".tar";
        tar = Exec("tar", "-C", dir, "-cf", archive, "oci-layout", "index.json", "blobs");
        Assert.True(tar.ExitCode == 0, tar.ToString());
        return archive;
    }

    /// <summary>A gRPC channel to a unix socket, as the kubelet dials the runtime endpoint.</summary>
    static GrpcChannel UnixChannel(string socket) => GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancel) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancel);
                    return new NetworkStream(s, ownsSocket: true);
                }
                catch
                {
                    s.Dispose();
                    throw;
                }
            },
        },
    });

    /// <summary>A host directory on a shared tmpfs of its own, as a kubelet's volume directory is for Bidirectional
    /// and HostToContainer mounts (containerd refuses them on a private mount).</summary>
    static string SharedDirectory(string work, string name)
    {
        string path = Path.Combine(work, name);
        Directory.CreateDirectory(path);
        var mount = Exec("sh", "-c", $"mount -t tmpfs -o size=1m {name} {path} && mount --make-shared {path}");
        Assert.True(mount.ExitCode == 0, mount.ToString());
        return path;
    }

    /// <summary>Whether this process may lower an oom_score_adj (CAP_SYS_RESOURCE in its bounding set). containerd
    /// gives a sandbox -998; where even root may not (a host that drops the capability, as runc also fails there),
    /// the CRI plugin's <c>restrict_oom_score_adj</c> keeps the pod at containerd's own score instead.</summary>
    static bool CanLowerOomScoreAdj()
    {
        const int CapSysResource = 24;
        string bounding = File.ReadLines("/proc/self/status").First(l => l.StartsWith("CapBnd:", StringComparison.Ordinal))[7..].Trim();
        return (Convert.ToUInt64(bounding, 16) & (1UL << CapSysResource)) != 0;
    }

    static string Text(Google.Protobuf.ByteString bytes) => bytes.ToStringUtf8();

    [CriFact]
    public void A_pod_runs_through_the_README_runtime_class_with_propagated_mounts_and_a_systemd_style_cgroup_parent()
    {
        // README's RuntimeClass names the handler; README's containerd snippet must define a runtime of that name.
        string handler = Regex.Match(ReadmeSnippets.Get("kubernetes"), @"^handler:\s*(\S+)\s*$", RegexOptions.Multiline).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(handler), "README's kubernetes snippet names no handler");

        string work = Path.Combine(Path.GetTempPath(), "oci-run-cri-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var mounted = new List<string>();
        try
        {
            // Images: a pause built from C with musl, and the test's busybox rootfs.
            string pauseRoot = Path.Combine(work, "pause-root");
            Directory.CreateDirectory(pauseRoot);
            File.WriteAllText(Path.Combine(work, "pause.c"), PauseSource);
            var cc = Exec("musl-gcc", "-static", "-Os", "-o", Path.Combine(pauseRoot, "pause"), Path.Combine(work, "pause.c"));
            Assert.True(cc.ExitCode == 0, cc.ToString());
            string pauseTar = ImageArchive(work, PauseImage, pauseRoot, ["/pause"]);
            string busyboxTar = ImageArchive(work, BusyboxImage, BusyboxRootfs.Path, ["/bin/sh"]);

            using var containerd = new ContainerdTests.PrivateContainerd(dir =>
            {
                // No CNI: the pod has the host's network; empty plugin directories keep containerd off the host's.
                Directory.CreateDirectory(Path.Combine(dir, "cni-bin"));
                Directory.CreateDirectory(Path.Combine(dir, "cni-conf"));
                return $"""
                    [plugins."io.containerd.grpc.v1.cri"]
                      sandbox_image = "{PauseImage}"
                      restrict_oom_score_adj = {(CanLowerOomScoreAdj() ? "false" : "true")}
                      [plugins."io.containerd.grpc.v1.cri".cni]
                        bin_dir = "{dir}/cni-bin"
                        conf_dir = "{dir}/cni-conf"
                    """ + "\n" + ReadmeSnippets.Get("containerd", TestPaths.OciRunBinary) + "\n";
            });
            using var channel = UnixChannel(containerd.Socket);
            var runtime = new Cri.RuntimeService.RuntimeServiceClient(channel);
            var images = new Cri.ImageService.ImageServiceClient(channel);
            Assert.True(OciRunHarness.Eventually(() =>
            {
                try { return runtime.Version(new Cri.VersionRequest { Version = "v1" }).RuntimeApiVersion == "v1"; }
                catch (Grpc.Core.RpcException) { return false; }
            }, 3000), "containerd's CRI plugin did not answer\n" + containerd.Log);

            foreach (var (tar, name) in new[] { (pauseTar, PauseImage), (busyboxTar, BusyboxImage) })
            {
                var import = containerd.CtrIn("k8s.io", "images", "import", tar);
                Assert.True(import.ExitCode == 0, import.ToString());
                // The CRI plugin learns of imported images from containerd's events.
                Assert.True(OciRunHarness.Eventually(() =>
                    images.ImageStatus(new Cri.ImageStatusRequest { Image = new Cri.ImageSpec { Image = name } }).Image is not null, 3000),
                    $"CRI does not see {name}\n" + containerd.Log);
            }

            string bidi = SharedDirectory(work, "bidi");
            mounted.Add(bidi);
            string hostToContainer = SharedDirectory(work, "h2c");
            mounted.Add(hostToContainer);
            string logs = Path.Combine(work, "logs");
            Directory.CreateDirectory(Path.Combine(logs, "app"));

            // The kubelet's systemd driver names a BestEffort pod's cgroup so; containerd makes the pod's and its
            // containers' cgroupsPath "<pod slice>:cri-containerd:<id>" from it.
            string uid = Guid.NewGuid().ToString();
            string podSlice = $"kubepods-besteffort-pod{uid.Replace('-', '_')}.slice";
            var sandboxConfig = new Cri.PodSandboxConfig
            {
                Metadata = new Cri.PodSandboxMetadata { Name = "oci-run-cri", Uid = uid, Namespace = "default" },
                LogDirectory = logs,
                Linux = new Cri.LinuxPodSandboxConfig
                {
                    CgroupParent = $"/kubepods.slice/kubepods-besteffort.slice/{podSlice}",
                    SecurityContext = new Cri.LinuxSandboxSecurityContext
                    {
                        Privileged = true,
                        NamespaceOptions = new Cri.NamespaceOption { Network = Cri.NamespaceMode.Node, Pid = Cri.NamespaceMode.Container },
                    },
                },
            };
            string sandbox = runtime.RunPodSandbox(new Cri.RunPodSandboxRequest { Config = sandboxConfig, RuntimeHandler = handler }).PodSandboxId;
            try
            {
                var status = runtime.PodSandboxStatus(new Cri.PodSandboxStatusRequest { PodSandboxId = sandbox }).Status;
                Assert.Equal(Cri.PodSandboxState.SandboxReady, status.State);
                Assert.Equal(handler, status.RuntimeHandler);

                var containerConfig = new Cri.ContainerConfig
                {
                    Metadata = new Cri.ContainerMetadata { Name = "app" },
                    Image = new Cri.ImageSpec { Image = BusyboxImage },
                    Command = { "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done" },
                    LogPath = "app/0.log",
                    Mounts =
                    {
                        new Cri.Mount { ContainerPath = "/bidi", HostPath = bidi, Propagation = Cri.MountPropagation.PropagationBidirectional },
                        new Cri.Mount { ContainerPath = "/h2c", HostPath = hostToContainer, Propagation = Cri.MountPropagation.PropagationHostToContainer },
                    },
                    Linux = new Cri.LinuxContainerConfig
                    {
                        // Bidirectional propagation is for privileged containers only (the kubelet checks).
                        SecurityContext = new Cri.LinuxContainerSecurityContext
                        {
                            Privileged = true,
                            NamespaceOptions = new Cri.NamespaceOption { Network = Cri.NamespaceMode.Node, Pid = Cri.NamespaceMode.Container },
                        },
                    },
                };
                string container = runtime.CreateContainer(new Cri.CreateContainerRequest
                {
                    PodSandboxId = sandbox, Config = containerConfig, SandboxConfig = sandboxConfig,
                }).ContainerId;
                runtime.StartContainer(new Cri.StartContainerRequest { ContainerId = container });

                Cri.ExecSyncResponse ExecSync(params string[] cmd)
                {
                    var request = new Cri.ExecSyncRequest { ContainerId = container };
                    request.Cmd.Add(cmd);
                    return runtime.ExecSync(request);
                }

                // The root's propagation containerd asked for (rshared, for the Bidirectional mount).
                var mountinfo = ExecSync("cat", "/proc/self/mountinfo");
                Assert.True(mountinfo.ExitCode == 0, Text(mountinfo.Stderr));
                Assert.Matches(@"\bshared:\d+", Env.MountInfo(Text(mountinfo.Stdout), "/").Optional);

                // Bidirectional: a mount made in the container shows up on the host, with what is written in it.
                var mount = ExecSync("sh", "-c", "mkdir -p /bidi/sub && mount -t tmpfs -o size=1m from-pod /bidi/sub && echo from-the-pod > /bidi/sub/file");
                Assert.True(mount.ExitCode == 0, Text(mount.Stderr));
                mounted.Insert(0, Path.Combine(bidi, "sub"));
                Assert.Equal("tmpfs", Env.MountInfo(File.ReadAllText("/proc/self/mountinfo"), Path.Combine(bidi, "sub")).Type);
                Assert.Equal("from-the-pod\n", File.ReadAllText(Path.Combine(bidi, "sub", "file")));

                // HostToContainer: a mount made on the host shows up in the container.
                string hostSub = Path.Combine(hostToContainer, "sub");
                Directory.CreateDirectory(hostSub);
                var hostMount = Exec("mount", "-t", "tmpfs", "-o", "size=1m", "from-host", hostSub);
                Assert.True(hostMount.ExitCode == 0, hostMount.ToString());
                mounted.Insert(0, hostSub);
                File.WriteAllText(Path.Combine(hostSub, "file"), "from-the-host\n");
                var read = ExecSync("cat", "/h2c/sub/file");
                Assert.True(read.ExitCode == 0, Text(read.Stderr));
                Assert.Equal("from-the-host\n", Text(read.Stdout));

                // The cgroup: the kubelet's slice:prefix:name taken literally under the shim's own cgroup, as runc's
                // cgroupfs driver takes it.
                string cgroupName = $"{podSlice}:cri-containerd:{container}";
                var cgroup = ExecSync("cat", "/proc/self/cgroup");
                Assert.True(cgroup.ExitCode == 0, Text(cgroup.Stderr));
                var hierarchies = CgroupMounts.Read().Hierarchies;
                var containerCgroups = new List<string>();
                foreach (var line in Text(cgroup.Stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var fields = line.Split(':', 3);
                    Assert.EndsWith("/" + cgroupName, fields[2]);
                    string dir = hierarchies.Single(h => h.ProcKey == fields[1]).MountPoint + fields[2];
                    Assert.True(Directory.Exists(dir), $"{dir} does not exist");
                    containerCgroups.Add(dir);
                }
                var exit = ExecSync("sh", "-c", "exit 3");
                Assert.Equal(3, exit.ExitCode);

                var stats = runtime.ContainerStats(new Cri.ContainerStatsRequest { ContainerId = container }).Stats;
                Assert.Equal(container, stats.Attributes.Id);
                Assert.True(stats.Cpu?.UsageCoreNanoSeconds?.Value > 0, $"cpu: {stats.Cpu}");
                Assert.True(stats.Memory?.WorkingSetBytes is not null, $"memory: {stats.Memory}");

                // SIGTERM first, as the kubelet stops a container with a grace period: the trap exits 0.
                runtime.StopContainer(new Cri.StopContainerRequest { ContainerId = container, Timeout = 30 });
                var stopped = runtime.ContainerStatus(new Cri.ContainerStatusRequest { ContainerId = container }).Status;
                Assert.Equal(Cri.ContainerState.ContainerExited, stopped.State);
                Assert.Equal(0, stopped.ExitCode);
                runtime.RemoveContainer(new Cri.RemoveContainerRequest { ContainerId = container });
                Assert.All(containerCgroups, dir => Assert.False(Directory.Exists(dir), $"{dir} is left"));
                Assert.Empty(runtime.ListContainers(new Cri.ListContainersRequest()).Containers);
            }
            finally
            {
                runtime.StopPodSandbox(new Cri.StopPodSandboxRequest { PodSandboxId = sandbox });
                runtime.RemovePodSandbox(new Cri.RemovePodSandboxRequest { PodSandboxId = sandbox });
            }
            Assert.Empty(runtime.ListPodSandbox(new Cri.ListPodSandboxRequest()).Items);
            // oci-run's state of the pod's containers, under the shim's --root, is gone.
            string state = "/run/containerd/runc/k8s.io";
            Assert.False(Directory.Exists(Path.Combine(state, sandbox)), $"{state}/{sandbox} is left");
        }
        finally
        {
            foreach (var path in mounted) Exec("umount", "-R", "-l", path);
            try { Directory.Delete(work, recursive: true); }
            catch (IOException) { }
        }
    }
}

/// <summary>The CRI test: containerd, and musl-gcc for the pause image; skipped, with the reason, without them.</summary>
public sealed class CriFactAttribute : FactAttribute
{
    public CriFactAttribute()
    {
        Skip = new ContainerdFactAttribute().Skip
               ?? (File.Exists("/usr/bin/musl-gcc") ? null : "musl-gcc is not installed (apt-get install musl-tools)");
    }
}
