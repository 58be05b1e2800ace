using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Oci.Runtime.Cgroups;
using Oci.Runtime.Spec;
using Xunit;

namespace Oci.Runtime.Tests.Cgroups;

/// <summary>The device rules emulator, its v1 transitions and the v2 eBPF program agree with each other and with
/// the kernel's v1 semantics.</summary>
public class DeviceRulesTests
{
    static readonly Gen<DeviceRule> Rules =
        from type in Gen.Elements('a', 'b', 'c', 'c', 'c')
        from major in Gen.Elements(-1L, 1, 5, 10, 136)
        from minor in Gen.Elements(-1L, 3, 5, 7, 200)
        from access in Gen.Choose(1, 7)
        from allow in Gen.Elements(true, false)
        select new DeviceRule(type, major, minor, (DeviceAccess)access, allow);

    static readonly Gen<(char, long, long, DeviceAccess)> Accesses =
        from type in Gen.Elements('b', 'c')
        from major in Gen.Elements(1L, 5, 10, 136, 254)
        from minor in Gen.Elements(0L, 3, 5, 7, 200)
        from access in Gen.Choose(1, 7)
        select (type, major, minor, (DeviceAccess)access);

    /// <summary>Applies rules as cgroup v1 would, skipping the ones the emulator refuses (wildcard holes).</summary>
    static DeviceRuleSet Build(DeviceRule[] rules)
    {
        var set = new DeviceRuleSet();
        foreach (var rule in rules)
        {
            try
            {
                set.Apply(rule);
            }
            catch (ArgumentException) { }
        }
        return set;
    }

    [Property(MaxTest = 2000)]
    public Property EbpfProgramDecidesAsTheRules() =>
        Prop.ForAll(Gen.ArrayOf(Rules).ToArbitrary(), Gen.ArrayOf(Accesses).ToArbitrary(), (rules, accesses) =>
        {
            var set = Build(rules);
            var program = DeviceFilterProgram.Build(set);
            foreach (var (type, major, minor, access) in accesses)
            {
                int bpf = DeviceFilterProgram.Evaluate(program, type == 'b' ? DeviceFilterProgram.DevBlock : DeviceFilterProgram.DevChar, access, (uint)major, (uint)minor);
                if ((bpf == 1) != set.Permits(type, major, minor, access)) return false;
            }
            return true;
        });

    [Property(MaxTest = 2000)]
    public Property V1TransitionReachesTheTarget() =>
        Prop.ForAll(Gen.ArrayOf(Rules).ToArbitrary(), Gen.ArrayOf(Rules).ToArbitrary(), (from, to) =>
        {
            var current = Build(from);
            var target = Build(to);
            // devices.list is what the kernel shows of the current state; the writes start from there.
            var listed = DeviceRuleSet.FromDevicesList(DevicesList(current));
            var after = DeviceRuleSet.FromDevicesList(DevicesList(current));
            foreach (var rule in target.TransitionFrom(listed)) after.Apply(rule, strict: false); // as the kernel takes the writes
            return after.SameAs(target);
        });

    /// <summary>What the kernel's devices.list shows for a state: "a *:* rwm" for a deny list, else the allow
    /// exceptions.</summary>
    static string DevicesList(DeviceRuleSet set) =>
        set.DefaultAllow ? "a *:* rwm\n" : string.Concat(set.Exceptions.Select(r => r.CgroupString() + "\n"));

    [Fact]
    public void DefaultsAllowTheStandardDevicesOnly()
    {
        var set = ContainerDeviceRules.For([new LinuxDeviceCgroup { Allow = false, Access = "rwm" }]);
        Assert.False(set.DefaultAllow);
        Assert.True(set.Permits('c', 1, 3, DeviceAccess.Read | DeviceAccess.Write)); // /dev/null
        Assert.True(set.Permits('c', 136, 4, DeviceAccess.Write)); // a pts
        Assert.True(set.Permits('b', 8, 0, DeviceAccess.Mknod)); // mknod of anything
        Assert.False(set.Permits('b', 8, 0, DeviceAccess.Read));
        Assert.False(set.Permits('c', 1, 11, DeviceAccess.Read)); // /dev/kmsg
    }

    [Fact]
    public void SpecRulesApplyInOrderBeforeTheDefaults()
    {
        var set = ContainerDeviceRules.For(
        [
            new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
            new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 11, Access = "r" },
        ]);
        Assert.True(set.Permits('c', 1, 11, DeviceAccess.Read));
        Assert.False(set.Permits('c', 1, 11, DeviceAccess.Write));
        Assert.False(set.Permits('c', 1, 11, DeviceAccess.Read | DeviceAccess.Write));
    }

    [Fact]
    public void DenyListProgramRefusesAnyTouchedAccess()
    {
        var set = DeviceRuleSet.From([new DeviceRule('a', -1, -1, DeviceAccess.All, true), new DeviceRule('c', 1, 11, DeviceAccess.Write, false)]);
        var program = DeviceFilterProgram.Build(set);
        Assert.Equal(1, DeviceFilterProgram.Evaluate(program, DeviceFilterProgram.DevChar, DeviceAccess.Read, 1, 11));
        Assert.Equal(0, DeviceFilterProgram.Evaluate(program, DeviceFilterProgram.DevChar, DeviceAccess.Read | DeviceAccess.Write, 1, 11));
        Assert.Equal(1, DeviceFilterProgram.Evaluate(program, DeviceFilterProgram.DevBlock, DeviceAccess.Write, 1, 11));
    }

    [Fact]
    public void HolesInWildcardExceptionsAreRefused()
    {
        var set = DeviceRuleSet.From([new DeviceRule('c', -1, -1, DeviceAccess.All, true)]);
        var e = Assert.Throws<ArgumentException>(() => set.Apply(new DeviceRule('c', 1, 3, DeviceAccess.Read, false)));
        Assert.Contains("wildcard", e.Message);
        var spec = Assert.Throws<SpecValidationException>(() => ContainerDeviceRules.For(
        [
            new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
            new LinuxDeviceCgroup { Allow = true, Type = "c", Access = "rwm" },
            new LinuxDeviceCgroup { Allow = false, Type = "c", Major = 1, Minor = 3, Access = "r" },
        ]));
        Assert.Contains("linux.resources.devices[2]", spec.Message);
    }

    [Fact]
    public void TransitionFromAFreshCgroupResetsFirst()
    {
        var target = ContainerDeviceRules.For(null);
        var fresh = DeviceRuleSet.FromDevicesList("a *:* rwm\n");
        var writes = target.TransitionFrom(fresh);
        Assert.Equal("a *:* rwm", writes[0].CgroupString());
        Assert.False(writes[0].Allow);
        Assert.All(writes.Skip(1), w => Assert.True(w.Allow));
        // Applying the same state again needs no write at all.
        var list = string.Concat(target.Exceptions.Select(r => r.CgroupString() + "\n"));
        Assert.Empty(target.TransitionFrom(DeviceRuleSet.FromDevicesList(list)));
    }

    [Fact]
    public void InstructionEncodingIsTheKernelsLayout()
    {
        // r2 = *(u32 *)(r1 + 4): code 0x61, dst 2, src 1, off 4.
        var insn = new DeviceFilterProgram.Instruction(0x61, 2, 1, 4, 0);
        Assert.Equal(0x0000_0000_0004_1261UL, insn.Encode());
        var mov = new DeviceFilterProgram.Instruction(0xb4, 0, 0, 0, -1);
        Assert.Equal(0xffff_ffff_0000_00b4UL, mov.Encode());
    }
}
