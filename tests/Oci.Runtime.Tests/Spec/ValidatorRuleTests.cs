using System.Text;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Spec;

/// <summary>One test per validation rule: a valid config with one bad value is rejected, naming that value.</summary>
public class ValidatorRuleTests
{
    private const string Remove = "<remove>";

    [Theory]
    [InlineData("private")]
    [InlineData("rprivate")]
    [InlineData("shared")]
    [InlineData("rshared")]
    [InlineData("slave")]
    [InlineData("rslave")]
    [InlineData("unbindable")]
    [InlineData("runbindable")]
    public void EveryRootfsPropagationRuncAcceptsIsValid(string propagation)
    {
        RuntimeSpec spec = SpecLoader.Parse(SpecDocuments.With("linux.rootfsPropagation", $"\"{propagation}\""));
        Assert.Equal(propagation, spec.Linux!.RootfsPropagation);
        Assert.Empty(SpecValidator.Check(spec));
    }

    [Fact]
    public void TheBaseConfigIsValidWithoutWarnings()
    {
        RuntimeSpec spec = SpecLoader.Parse(Encoding.UTF8.GetBytes(SpecDocuments.ValidLinuxConfig));
        Assert.Empty(SpecValidator.Check(spec));
    }

    [Theory]
    // config.md: ociVersion, root
    [InlineData("ociVersion", "\"1.0\"", "ociVersion", "\"1.0\" is not a SemVer 2.0.0 version")]
    [InlineData("ociVersion", "\"01.0.0\"", "ociVersion", "is not a SemVer")]
    [InlineData("ociVersion", "\"\"", "ociVersion", "must not be empty")]
    [InlineData("ociVersion", Remove, "ociVersion", "required property is missing")]
    [InlineData("root", Remove, "root", "required property is missing")]
    [InlineData("root.path", "\"\"", "root.path", "must not be empty")]
    [InlineData("root.path", Remove, "root.path", "required property is missing")]
    // mounts
    [InlineData("mounts[0].destination", "\"\"", "mounts[0].destination", "must not be empty")]
    [InlineData("mounts[0].destination", Remove, "mounts[0].destination", "required property is missing")]
    [InlineData("mounts[1].gidMappings", Remove, "mounts[1].gidMappings", "required when uidMappings is set")]
    [InlineData("mounts[1].uidMappings", Remove, "mounts[1].uidMappings", "required when gidMappings is set")]
    [InlineData("mounts[1].uidMappings[0].size", "0", "mounts[1].uidMappings[0].size", "must be greater than 0")]
    [InlineData("mounts[1].options[1]", "null", "mounts[1].options[1]", "must not be null")]
    [InlineData("mounts[2]", """{ "destination": "/x", "options": ["idmap"] }""", "mounts[2].options[0]", "idmap needs uidMappings and gidMappings or a user namespace", "linux.namespaces[5]")]
    // process
    [InlineData("process.cwd", "\"relative\"", "process.cwd", "must be an absolute path, got \"relative\"")]
    [InlineData("process.cwd", Remove, "process.cwd", "required property is missing")]
    [InlineData("process.args", "[]", "process.args", "must have at least one entry")]
    [InlineData("process.args", Remove, "process.args", "must have at least one entry")]
    [InlineData("process.env[1]", "\"NOEQUALS\"", "process.env[1]", "\"NOEQUALS\" is not KEY=value")]
    [InlineData("process.env[1]", "\"=x\"", "process.env[1]", "empty variable name")]
    [InlineData("process.rlimits[1].type", "\"RLIMIT_BOGUS\"", "process.rlimits[1].type", "unknown rlimit \"RLIMIT_BOGUS\"")]
    [InlineData("process.rlimits[1].type", "\"RLIMIT_NOFILE\"", "process.rlimits[1].type", "duplicate rlimit \"RLIMIT_NOFILE\"")]
    [InlineData("process.rlimits[0].soft", "5000", "process.rlimits[0].soft", "soft limit 5000 exceeds hard limit 4096")]
    [InlineData("process.rlimits[0].hard", Remove, "process.rlimits[0].hard", "required property is missing")]
    [InlineData("process.capabilities.permitted[1]", "\"cap_kill\"", "process.capabilities.permitted[1]", "invalid capability name \"cap_kill\"")]
    [InlineData("process.capabilities.ambient[0]", "\"KILL\"", "process.capabilities.ambient[0]", "invalid capability name \"KILL\"")]
    [InlineData("process.oomScoreAdj", "1001", "process.oomScoreAdj", "1001 is out of range")]
    [InlineData("process.ioPriority.class", "\"IOPRIO_CLASS_NONE\"", "process.ioPriority.class", "unknown I/O priority class \"IOPRIO_CLASS_NONE\"")]
    [InlineData("process.ioPriority.priority", "8", "process.ioPriority.priority", "8 is out of range; must be from 0 to 7")]
    [InlineData("process.scheduler.policy", "\"SCHED_FAST\"", "process.scheduler.policy", "unknown scheduler policy \"SCHED_FAST\"")]
    [InlineData("process.scheduler.flags[0]", "\"SCHED_FLAG_X\"", "process.scheduler.flags[0]", "unknown scheduler flag \"SCHED_FLAG_X\"")]
    [InlineData("process.scheduler.nice", "20", "process.scheduler.nice", "out of range")]
    [InlineData("process.execCPUAffinity.final", "\"all\"", "process.execCPUAffinity.final", "\"all\" is not a CPU list")]
    // hooks
    [InlineData("hooks.createRuntime[0].path", "\"hook\"", "hooks.createRuntime[0].path", "must be an absolute path, got \"hook\"")]
    [InlineData("hooks.poststop[0].path", Remove, "hooks.poststop[0].path", "required property is missing")]
    [InlineData("hooks.createRuntime[0].timeout", "0", "hooks.createRuntime[0].timeout", "must be greater than zero, got 0")]
    [InlineData("hooks.poststart[0]", "null", "hooks.poststart[0]", "must not be null")]
    // annotations
    [InlineData("annotations['']", "\"x\"", "annotations['']", "key must not be empty")]
    [InlineData("annotations.k", "null", "annotations.k", "must not be null")]
    [InlineData("annotations['org.opencontainers.image.stopSignal']", "\"SIGNOPE\"", "annotations['org.opencontainers.image.stopSignal']", "\"SIGNOPE\" is not a signal")]
    [InlineData("annotations['org.opencontainers.image.stopSignal']", "\"0\"", "annotations['org.opencontainers.image.stopSignal']", "\"0\" is not a signal")]
    [InlineData("linux.namespaces[1].type", "\"pid\"", "linux.namespaces[1].type", "duplicate namespace type \"pid\"")]
    // namespaces
    [InlineData("linux.namespaces[2].type", "\"bogus\"", "linux.namespaces[2].type", "unknown namespace type \"bogus\"")]
    [InlineData("linux.namespaces[2].type", Remove, "linux.namespaces[2].type", "required property is missing")]
    [InlineData("linux.namespaces[2].path", "\"proc/1/ns/ipc\"", "linux.namespaces[2].path", "must be an absolute path")]
    // id mappings and the user namespace
    [InlineData("linux.uidMappings", Remove, "linux.uidMappings", "required when a new user namespace is created")]
    [InlineData("linux.gidMappings", "[]", "linux.gidMappings", "required when a new user namespace is created")]
    [InlineData("linux.uidMappings[0].size", "0", "linux.uidMappings[0].size", "must be greater than 0")]
    [InlineData("linux.uidMappings[0].hostID", "-1", "linux.uidMappings[0].hostID", "expected an integer from 0 to 4294967295 (uint32)")]
    // time offsets
    [InlineData("linux.timeOffsets.realtime", """{ "secs": 1 }""", "linux.timeOffsets.realtime", "unknown time namespace clock \"realtime\"")]
    [InlineData("linux.timeOffsets.monotonic.nanosecs", "1000000000", "linux.timeOffsets.monotonic.nanosecs", "must be less than 1000000000")]
    // devices
    [InlineData("linux.devices[0].type", "\"x\"", "linux.devices[0].type", "unknown device type \"x\"")]
    [InlineData("linux.devices[0].major", Remove, "linux.devices[0].major", "required for device type \"c\"")]
    [InlineData("linux.devices[0].path", "\"dev/fuse\"", "linux.devices[0].path", "must be an absolute path")]
    [InlineData("linux.devices[1].type", "\"b\"", "linux.devices[1].major", "required for device type \"b\"")]
    // resources
    [InlineData("linux.resources.devices[1].type", "\"z\"", "linux.resources.devices[1].type", "unknown device cgroup type \"z\"")]
    [InlineData("linux.resources.devices[1].allow", Remove, "linux.resources.devices[1].allow", "required property is missing")]
    [InlineData("linux.resources.memory.swappiness", "101", "linux.resources.memory.swappiness", "101 is out of range")]
    [InlineData("linux.resources.memory.limit", "1.5", "linux.resources.memory.limit", "(int64)")]
    [InlineData("linux.resources.cpu.burst", "200000", "linux.resources.cpu.burst", "200000 must not exceed quota 100000")]
    [InlineData("linux.resources.cpu.shares", "-1", "linux.resources.cpu.shares", "(uint64)")]
    [InlineData("linux.resources.blockIO.weight", "70000", "linux.resources.blockIO.weight", "(uint16)")]
    [InlineData("linux.resources.blockIO.weightDevice[0].weight", Remove, "linux.resources.blockIO.weightDevice[0]", "at least one of weight and leafWeight is required")]
    [InlineData("linux.resources.blockIO.throttleReadBpsDevice[0].minor", Remove, "linux.resources.blockIO.throttleReadBpsDevice[0].minor", "required property is missing")]
    [InlineData("linux.resources.hugepageLimits[0].pageSize", "\"2M\"", "linux.resources.hugepageLimits[0].pageSize", "\"2M\" is not a page size")]
    [InlineData("linux.resources.hugepageLimits[0].pageSize", "\"02MB\"", "linux.resources.hugepageLimits[0].pageSize", "is not a page size")]
    [InlineData("linux.resources.network.priorities[0].name", "\"\"", "linux.resources.network.priorities[0].name", "must not be empty")]
    [InlineData("linux.resources.rdma.mlx5_1", "{}", "linux.resources.rdma.mlx5_1", "at least one of hcaHandles and hcaObjects is required")]
    [InlineData("linux.resources.unified['memory.max']", "null", "linux.resources.unified['memory.max']", "must not be null")]
    // net devices
    [InlineData("linux.netDevices.eth1.name", "\"a/b\"", "linux.netDevices.eth1.name", "invalid network interface name \"a/b\"")]
    [InlineData("linux.netDevices['way-too-long-interface']", "{}", "linux.netDevices.way-too-long-interface", "invalid network interface name")]
    // sysctl
    [InlineData("linux.sysctl['kernel.shmmax']", "5", "linux.sysctl['kernel.shmmax']", "expected a string")]
    // seccomp
    [InlineData("linux.seccomp.defaultAction", "\"SCMP_ACT_BOGUS\"", "linux.seccomp.defaultAction", "unknown seccomp action \"SCMP_ACT_BOGUS\"")]
    [InlineData("linux.seccomp.defaultAction", Remove, "linux.seccomp.defaultAction", "required property is missing")]
    [InlineData("linux.seccomp.defaultAction", "\"SCMP_ACT_ALLOW\"", "linux.seccomp.defaultErrnoRet", "not allowed with default action SCMP_ACT_ALLOW")]
    [InlineData("linux.seccomp.architectures[0]", "\"SCMP_ARCH_Z80\"", "linux.seccomp.architectures[0]", "unknown seccomp architecture \"SCMP_ARCH_Z80\"")]
    [InlineData("linux.seccomp.flags[0]", "\"SECCOMP_FILTER_FLAG_X\"", "linux.seccomp.flags[0]", "unknown seccomp flag")]
    [InlineData("linux.seccomp.listenerPath", Remove, "linux.seccomp.listenerMetadata", "must not be set without listenerPath")]
    [InlineData("linux.seccomp.syscalls[0].names", "[]", "linux.seccomp.syscalls[0].names", "must have at least one entry")]
    [InlineData("linux.seccomp.syscalls[0].names", Remove, "linux.seccomp.syscalls[0].names", "required property is missing")]
    [InlineData("linux.seccomp.syscalls[0].action", "\"ALLOW\"", "linux.seccomp.syscalls[0].action", "unknown seccomp action \"ALLOW\"")]
    [InlineData("linux.seccomp.syscalls[0].errnoRet", "1", "linux.seccomp.syscalls[0].errnoRet", "not allowed with action SCMP_ACT_ALLOW")]
    [InlineData("linux.seccomp.syscalls[1].args[0].op", "\"SCMP_CMP_XX\"", "linux.seccomp.syscalls[1].args[0].op", "unknown seccomp operator \"SCMP_CMP_XX\"")]
    [InlineData("linux.seccomp.syscalls[1].args[0].index", "6", "linux.seccomp.syscalls[1].args[0].index", "6 is out of range")]
    [InlineData("linux.seccomp.syscalls[1].args[0].value", Remove, "linux.seccomp.syscalls[1].args[0].value", "required property is missing")]
    // rootfs propagation, intel RDT, personality, memory policy
    [InlineData("linux.rootfsPropagation", "\"rshare\"", "linux.rootfsPropagation", "unknown rootfs propagation \"rshare\"")]
    [InlineData("linux.intelRdt.memBwSchema", "\"L3:0=1\"", "linux.intelRdt.memBwSchema", "must start with \"MB:\"")]
    [InlineData("linux.intelRdt.schemata[0]", "\"L3:0=1\\nMB:0=2\"", "linux.intelRdt.schemata[0]", "must not contain a newline")]
    [InlineData("linux.personality.domain", "\"LINUX64\"", "linux.personality.domain", "unknown personality domain \"LINUX64\"")]
    [InlineData("linux.personality.domain", Remove, "linux.personality.domain", "required property is missing")]
    [InlineData("linux.memoryPolicy.mode", "\"MPOL_FAST\"", "linux.memoryPolicy.mode", "unknown memory policy mode \"MPOL_FAST\"")]
    [InlineData("linux.memoryPolicy.flags[0]", "\"MPOL_F_X\"", "linux.memoryPolicy.flags[0]", "unknown memory policy flag \"MPOL_F_X\"")]
    [InlineData("linux.memoryPolicy.nodes", Remove, "linux.memoryPolicy.nodes", "required for MPOL_INTERLEAVE")]
    [InlineData("linux.memoryPolicy.nodes", "\"0-\"", "linux.memoryPolicy.nodes", "\"0-\" is not a node list")]
    [InlineData("linux.memoryPolicy.mode", "\"MPOL_LOCAL\"", "linux.memoryPolicy.nodes", "must be empty for MPOL_LOCAL")]
    public void BadValueIsRejectedNamingItsPath(string path, string? value, string errorPath, string problem, string? removeAlso = null)
    {
        byte[] json = SpecDocuments.With(path, value == Remove ? null : value);
        if (removeAlso is not null) json = SpecDocuments.With(removeAlso, null, Encoding.UTF8.GetString(json));
        var e = Assert.Throws<SpecValidationException>(() => SpecLoader.Parse(json));
        Assert.Equal(errorPath, e.JsonPath);
        Assert.StartsWith(errorPath + ": ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Theory]
    [InlineData("linux.namespaces[5]", "linux.uidMappings", "requires a user namespace in linux.namespaces")]
    [InlineData("linux.namespaces[3]", "hostname", "unable to set hostname without a private UTS namespace")]
    [InlineData("linux.namespaces[7]", "linux.timeOffsets", "requires a new time namespace")]
    public void SettingsThatNeedANamespaceAreRejectedWithoutIt(string removedNamespace, string errorPath, string problem)
    {
        byte[] json = SpecDocuments.With(removedNamespace, null);
        var e = Assert.Throws<SpecValidationException>(() => SpecLoader.Parse(json));
        Assert.Equal(errorPath, e.JsonPath);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void DomainnameNeedsAUtsNamespace()
    {
        byte[] json = SpecDocuments.With("hostname", null, Encoding.UTF8.GetString(SpecDocuments.With("linux.namespaces[3]", null)));
        var e = Assert.Throws<SpecValidationException>(() => SpecLoader.Parse(json));
        Assert.Equal("domainname: unable to set domainname without a private UTS namespace", e.Message);
    }

    [Theory]
    [InlineData("hostname")]
    [InlineData("domainname")]
    public void AHostnameNeedsAUtsNamespaceEvenWithoutALinuxSection(string field)
    {
        // Without "linux" there are no namespaces at all: the name would have been dropped, the host's kept.
        string json = $$"""{ "ociVersion": "1.3.0", "root": { "path": "rootfs" }, "{{field}}": "box" }""";
        var e = Assert.Throws<SpecValidationException>(() => SpecLoader.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Equal($"{field}: unable to set {field} without a private UTS namespace", e.Message);
    }

    [Fact]
    public void AHostnameWithoutALinuxSectionIsFineForOtherPlatforms()
    {
        SpecLoader.Parse("""{ "ociVersion": "1.3.0", "root": { "path": "rootfs" }, "hostname": "box", "windows": { "layerFolders": ["C:\\l"] } }"""u8);
    }

    [Fact]
    public void JoiningAUserNamespaceNeedsNoMappings()
    {
        byte[] json = SpecDocuments.With("linux.namespaces[5].path", "\"/proc/1/ns/user\"");
        json = SpecDocuments.With("linux.uidMappings", null, Encoding.UTF8.GetString(json));
        json = SpecDocuments.With("linux.gidMappings", null, Encoding.UTF8.GetString(json));
        SpecLoader.Parse(json);
    }

    [Fact]
    public void UnknownButWellFormedCapabilityIsAnErrorNamingIt()
    {
        // config.md lets a runtime go on with a warning; oci-run refuses, naming the capability and its JSON path.
        RuntimeSpec spec = SpecLoader.ParseUnvalidated(SpecDocuments.With("process.capabilities.bounding[1]", "\"CAP_FROM_THE_FUTURE\""));
        SpecProblem error = Assert.Single(SpecValidator.Check(spec));
        Assert.False(error.IsWarning);
        Assert.Equal("process.capabilities.bounding[1]: unknown capability \"CAP_FROM_THE_FUTURE\"", error.ToString());
        var thrown = Assert.Throws<SpecValidationException>(() => SpecValidator.Validate(spec));
        Assert.Contains("CAP_FROM_THE_FUTURE", thrown.Message);
        Assert.Contains("process.capabilities.bounding[1]", thrown.Message);
    }

    [Fact]
    public void RelativeMountDestinationIsAWarningOnLinux()
    {
        // config.md: on Linux a relative destination is deprecated and taken relative to "/".
        RuntimeSpec spec = SpecLoader.Parse(SpecDocuments.With("mounts[0].destination", "\"proc\""));
        SpecProblem warning = Assert.Single(SpecValidator.Check(spec));
        Assert.True(warning.IsWarning);
        Assert.Equal("mounts[0].destination", warning.Path);
    }

    [Fact]
    public void RelativeMountDestinationIsAnErrorOnOtherPlatforms()
    {
        const string freebsd = """{ "ociVersion": "1.3.0", "root": { "path": "rootfs" }, "freebsd": {}, "mounts": [{ "destination": "dev" }] }""";
        var e = Assert.Throws<SpecValidationException>(() => SpecLoader.Parse(Encoding.UTF8.GetBytes(freebsd)));
        Assert.Equal("mounts[0].destination: must be an absolute path, got \"dev\"", e.Message);
    }

    [Fact]
    public void UnknownDeviceAccessLettersAreAWarningAndGrantNothing()
    {
        // runc drops letters other than r, w and m ("rwa" grants rw); oci-run does the same, and says so.
        RuntimeSpec spec = SpecLoader.Parse(SpecDocuments.With("linux.resources.devices[1].access", "\"rwa\""));
        SpecProblem warning = Assert.Single(SpecValidator.Check(spec));
        Assert.True(warning.IsWarning);
        Assert.Equal("linux.resources.devices[1].access", warning.Path);
        Assert.Contains("'a'", warning.Message);
        var rule = Assert.Single(Oci.Runtime.Cgroups.ContainerDeviceRules.FromSpec([spec.Linux!.Resources!.Devices![1]]));
        Assert.Equal(Oci.Runtime.Cgroups.DeviceAccess.Read | Oci.Runtime.Cgroups.DeviceAccess.Write, rule.Access);
    }

    [Fact]
    public void PersonalityFlagsAreWarnings()
    {
        RuntimeSpec spec = SpecLoader.Parse(SpecDocuments.With("linux.personality.flags", "[\"ADDR_NO_RANDOMIZE\"]"));
        Assert.Equal("linux.personality.flags[0]", Assert.Single(SpecValidator.Check(spec)).Path);
    }

    [Theory]
    [InlineData("host", "\"disable\"", "freebsd.jail.host", "unknown jail sharing mode \"disable\"")]
    [InlineData("ip4", "\"off\"", "freebsd.jail.ip4", "unknown jail sharing mode \"off\"")]
    [InlineData("vnet", "1", "freebsd.jail.vnet", "expected a string")]
    [InlineData("vnet", "\"\\ud800\"", "freebsd.jail.vnet", "expected a string")]
    [InlineData("\\udc00", "1", "freebsd.jail", "a property name is not valid text")]
    public void FreeBsdJailSharingModesFollowTheSchema(string property, string value, string path, string problem)
    {
        string json = $$"""{ "ociVersion": "1.3.0", "root": { "path": "rootfs" }, "freebsd": { "jail": { "{{property}}": {{value}} } } }""";
        var e = Assert.Throws<SpecValidationException>(() => SpecLoader.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(path, e.JsonPath);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void FreeBsdJailValueOfInvalidUtf8IsAValidationError()
    {
        byte[] json = [.. Encoding.UTF8.GetBytes("""{ "ociVersion": "1.3.0", "root": { "path": "rootfs" }, "freebsd": { "jail": { "vnet": "x"""), 0xF3, 0x28, .. "\" } } }"u8];
        var e = Assert.Throws<SpecValidationException>(() => SpecLoader.Parse(json));
        Assert.Equal("freebsd.jail.vnet", e.JsonPath);
    }

    [Theory]
    [InlineData("""{ "ociVersion": "1.0", "id": "a", "status": "running", "pid": 1, "bundle": "/b" }""", "ociVersion", "is not a SemVer")]
    [InlineData("""{ "ociVersion": "1.3.0", "id": "", "status": "running", "pid": 1, "bundle": "/b" }""", "id", "must not be empty")]
    [InlineData("""{ "ociVersion": "1.3.0", "id": "a", "status": "sleeping", "pid": 1, "bundle": "/b" }""", "status", "unknown container status \"sleeping\"")]
    [InlineData("""{ "ociVersion": "1.3.0", "id": "a", "status": "running", "bundle": "/b" }""", "pid", "required when the status is running")]
    [InlineData("""{ "ociVersion": "1.3.0", "id": "a", "status": "stopped", "pid": -1, "bundle": "/b" }""", "pid", "out of range")]
    [InlineData("""{ "ociVersion": "1.3.0", "id": "a", "status": "stopped", "bundle": "b" }""", "bundle", "must be an absolute path")]
    [InlineData("""{ "ociVersion": "1.3.0", "status": "stopped", "bundle": "/b" }""", "id", "required property is missing")]
    public void StateRules(string json, string path, string problem)
    {
        var e = Assert.Throws<SpecValidationException>(() => SpecLoader.ParseState(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(path, e.JsonPath);
        Assert.Contains(problem, e.Message);
    }

    [Theory]
    [InlineData("""{ "ociVersionMin": "1.0.0", "ociVersionMax": "1.x" }""", "ociVersionMax", "is not a SemVer")]
    [InlineData("""{ "ociVersionMin": "1.0.0", "ociVersionMax": "1.3.0", "linux": { "namespaces": ["pid", "nope"] } }""", "linux.namespaces[1]", "unknown namespace type \"nope\"")]
    [InlineData("""{ "ociVersionMin": "1.0.0", "ociVersionMax": "1.3.0", "linux": { "capabilities": ["CAP_OK", "cap_bad"] } }""", "linux.capabilities[1]", "is not a capability name")]
    [InlineData("""{ "ociVersionMin": "1.0.0", "ociVersionMax": "1.3.0", "linux": { "seccomp": { "actions": ["SCMP_ACT_NOPE"] } } }""", "linux.seccomp.actions[0]", "unknown seccomp action")]
    [InlineData("""{ "ociVersionMin": "1.0.0", "ociVersionMax": "1.3.0", "linux": { "cgroup": { "v2": "yes" } } }""", "linux.cgroup.v2", "expected a boolean")]
    public void FeaturesRules(string json, string path, string problem)
    {
        var e = Assert.Throws<SpecValidationException>(() => SpecLoader.ParseFeatures(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(path, e.JsonPath);
        Assert.Contains(problem, e.Message);
    }
}
