using System.Globalization;
using System.Text;
using Oci.Runtime.Spec;

namespace Oci.Runtime.Cgroups;

/// <summary>Device access bits, with the values of the kernel's BPF_DEVCG_ACC_* flags.</summary>
[Flags]
internal enum DeviceAccess
{
    /// <summary>No access.</summary>
    None = 0,
    /// <summary>mknod (<c>m</c>).</summary>
    Mknod = 1,
    /// <summary>read (<c>r</c>).</summary>
    Read = 2,
    /// <summary>write (<c>w</c>).</summary>
    Write = 4,
    /// <summary><c>rwm</c>.</summary>
    All = Mknod | Read | Write,
}

/// <summary>One device cgroup rule: type <c>a</c>, <c>b</c> or <c>c</c>, major and minor (-1 for <c>*</c>), access,
/// and whether it allows or denies.</summary>
internal readonly record struct DeviceRule(char Type, long Major, long Minor, DeviceAccess Access, bool Allow)
{
    /// <summary>The wildcard major or minor.</summary>
    public const long Wildcard = -1;

    /// <summary>The rule as devices.allow/devices.deny take it: <c>c 1:3 rwm</c>.</summary>
    public string CgroupString() =>
        $"{Type} {Number(Major)}:{Number(Minor)} {AccessString(Access)}";

    static string Number(long n) => n == Wildcard ? "*" : n.ToString(CultureInfo.InvariantCulture);

    /// <summary>"rwm" letters of an access set.</summary>
    public static string AccessString(DeviceAccess access)
    {
        var text = new StringBuilder(3);
        if ((access & DeviceAccess.Read) != 0) text.Append('r');
        if ((access & DeviceAccess.Write) != 0) text.Append('w');
        if ((access & DeviceAccess.Mknod) != 0) text.Append('m');
        return text.ToString();
    }

    /// <summary>The letters of a config's access string that are not r, w or m (empty when all are known). runc
    /// drops them ("rwa" grants rw) and so does oci-run, with a warning: the spec names only r, w and m, its schema
    /// takes any string, and refusing would fail configs that runc runs.</summary>
    public static string UnknownAccessLetters(string? access) =>
        access is null ? "" : new string(access.Where(c => c is not ('r' or 'w' or 'm')).Distinct().ToArray());

    /// <summary>Parses "rwm" letters; null for an invalid letter.</summary>
    public static DeviceAccess? ParseAccess(string text)
    {
        var access = DeviceAccess.None;
        foreach (char c in text)
        {
            access |= c switch
            {
                'r' => DeviceAccess.Read,
                'w' => DeviceAccess.Write,
                'm' => DeviceAccess.Mknod,
                _ => (DeviceAccess)(-1),
            };
            if ((int)access < 0) return null;
        }
        return access;
    }
}

/// <summary>
/// The device cgroup's state as cgroup v1 keeps it (an emulation of the kernel's devices controller, following runc's
/// devices emulator): a default (allow all or deny all) and exceptions to it. Rules apply in order: a rule of type
/// <c>a</c> resets the default, any other adds or removes an exception. Both the v1 writes (the minimal transition
/// between two states) and the v2 eBPF program are made from it, so that both layouts enforce the same rules.
/// </summary>
internal sealed class DeviceRuleSet
{
    readonly Dictionary<(char Type, long Major, long Minor), DeviceAccess> exceptions = new();

    /// <summary>Whether devices not named by an exception are allowed (a deny list) or denied (an allow list).</summary>
    public bool DefaultAllow { get; private set; }

    /// <summary>An empty allow list: every device denied.</summary>
    public DeviceRuleSet() { }

    /// <summary>The exceptions as rules (allow rules on an allow list, deny rules on a deny list), sorted by major,
    /// minor and type.</summary>
    public IReadOnlyList<DeviceRule> Exceptions =>
        Sorted(exceptions).ConvertAll(e => new DeviceRule(e.Key.Type, e.Key.Major, e.Key.Minor, e.Value, !DefaultAllow));

    /// <summary>The entries by major, minor and type.</summary>
    /// <remarks>Sorted with a comparison, not OrderBy/ThenBy: LINQ's ordering over these value-type keys is not
    /// compiled ahead of time, and NativeAOT's type loader building it at run time cost more than the rest of
    /// create's device work.</remarks>
    static List<KeyValuePair<(char Type, long Major, long Minor), DeviceAccess>> Sorted(
        Dictionary<(char Type, long Major, long Minor), DeviceAccess> entries)
    {
        var list = new List<KeyValuePair<(char Type, long Major, long Minor), DeviceAccess>>(entries);
        list.Sort(static (a, b) =>
        {
            int c = a.Key.Major.CompareTo(b.Key.Major);
            if (c == 0) c = a.Key.Minor.CompareTo(b.Key.Minor);
            return c != 0 ? c : a.Key.Type.CompareTo(b.Key.Type);
        });
        return list;
    }

    /// <summary>The state after <paramref name="rules"/> applied in order to an empty allow list.</summary>
    public static DeviceRuleSet From(IEnumerable<DeviceRule> rules)
    {
        var set = new DeviceRuleSet();
        foreach (var rule in rules) set.Apply(rule);
        return set;
    }

    /// <summary>Applies one rule.</summary>
    /// <exception cref="ArgumentException">A rule that would punch a hole into a wildcard exception, which cgroup v1
    /// silently ignores (runc refuses it too).</exception>
    public void Apply(DeviceRule rule) => Apply(rule, strict: true);

    /// <summary>Applies one rule; with <paramref name="strict"/> false exactly as the v1 kernel does, which removes
    /// an exception only where it matches exactly and ignores overlapping wildcard ones (what a write of the
    /// transition does to a real cgroup).</summary>
    public void Apply(DeviceRule rule, bool strict)
    {
        if (rule.Type == 'a')
        {
            DefaultAllow = rule.Allow;
            exceptions.Clear();
            return;
        }
        if (rule.Type is not ('b' or 'c')) throw new ArgumentException($"invalid device type '{rule.Type}'");
        // An allow rule on an allow list (or a deny rule on a deny list) adds an exception; the opposite removes one.
        if (rule.Allow != DefaultAllow) Add(rule);
        else Remove(rule, strict);
    }

    void Add(DeviceRule rule)
    {
        var key = (rule.Type, rule.Major, rule.Minor);
        exceptions[key] = exceptions.GetValueOrDefault(key) | rule.Access;
    }

    void Remove(DeviceRule rule, bool strict)
    {
        var key = (rule.Type, rule.Major, rule.Minor);
        foreach (var partial in new[] { (rule.Type, DeviceRule.Wildcard, rule.Minor), (rule.Type, rule.Major, DeviceRule.Wildcard), (rule.Type, DeviceRule.Wildcard, DeviceRule.Wildcard) })
        {
            if (!strict || partial == key) continue;
            if ((exceptions.GetValueOrDefault(partial) & rule.Access) != 0)
                throw new ArgumentException(
                    $"rule \"{rule.CgroupString()}\" cannot punch a hole into the wildcard rule \"{new DeviceRule(partial.Item1, partial.Item2, partial.Item3, exceptions[partial], !DefaultAllow).CgroupString()}\"");
        }
        if (!exceptions.TryGetValue(key, out var access)) return;
        access &= ~rule.Access;
        if (access == DeviceAccess.None) exceptions.Remove(key);
        else exceptions[key] = access;
    }

    /// <summary>Whether <paramref name="access"/> to device <paramref name="type"/> major:minor is permitted, as the
    /// kernel decides it: on an allow list one exception must grant all of it; on a deny list no exception may
    /// touch any of it.</summary>
    public bool Permits(char type, long major, long minor, DeviceAccess access)
    {
        foreach (var ((t, ma, mi), granted) in exceptions)
        {
            if (t != type || (ma != DeviceRule.Wildcard && ma != major) || (mi != DeviceRule.Wildcard && mi != minor)) continue;
            if (DefaultAllow && (granted & access) != 0) return false;
            if (!DefaultAllow && (access & ~granted) == 0) return true;
        }
        return DefaultAllow;
    }

    /// <summary>The state a v1 devices cgroup is in, from its devices.list: "a *:* rwm" means a deny list (whose
    /// exceptions cannot be read back), anything else the exceptions of an allow list.</summary>
    public static DeviceRuleSet FromDevicesList(string devicesList)
    {
        var set = new DeviceRuleSet();
        foreach (var raw in devicesList.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3) throw new FormatException($"devices.list line \"{raw}\"");
            var numbers = parts[1].Split(':');
            if (numbers.Length != 2) throw new FormatException($"devices.list line \"{raw}\"");
            var access = DeviceRule.ParseAccess(parts[2]) ?? throw new FormatException($"devices.list line \"{raw}\"");
            set.Apply(new DeviceRule(parts[0][0], ParseNumber(numbers[0]), ParseNumber(numbers[1]), access, Allow: true));
        }
        return set;
    }

    static long ParseNumber(string text) =>
        text == "*" ? DeviceRule.Wildcard : long.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>The fewest rules that take a v1 cgroup in state <paramref name="current"/> to this state (runc's
    /// Transition): a disruptive "a" rule only when the default changes or the current state is a deny list (whose
    /// exceptions are unknown), then the exceptions that go, then the ones that come.</summary>
    public IReadOnlyList<DeviceRule> TransitionFrom(DeviceRuleSet current)
    {
        var rules = new List<DeviceRule>();
        var old = current.exceptions;
        if (current.DefaultAllow || current.DefaultAllow != DefaultAllow)
        {
            rules.Add(new DeviceRule('a', DeviceRule.Wildcard, DeviceRule.Wildcard, DeviceAccess.All, DefaultAllow));
            old = new();
        }
        foreach (var (key, oldAccess) in Sorted(old))
        {
            var dropped = oldAccess & ~exceptions.GetValueOrDefault(key);
            if (dropped != DeviceAccess.None) rules.Add(new DeviceRule(key.Type, key.Major, key.Minor, dropped, DefaultAllow));
        }
        foreach (var rule in Exceptions)
        {
            var gained = rule.Access & ~old.GetValueOrDefault((rule.Type, rule.Major, rule.Minor));
            if (gained != DeviceAccess.None) rules.Add(rule with { Access = gained });
        }
        return rules;
    }

    /// <summary>Whether two states permit the same (same default and exceptions).</summary>
    public bool SameAs(DeviceRuleSet other) =>
        DefaultAllow == other.DefaultAllow && exceptions.Count == other.exceptions.Count
        && exceptions.All(e => other.exceptions.TryGetValue(e.Key, out var a) && a == e.Value);
}

/// <summary>The device rules of a container: its config's, then the devices every container may use (runc's
/// AllowedDevices: mknod of any device, null, zero, full, random, urandom, tty, ptmx, the pts and tun).</summary>
internal static class ContainerDeviceRules
{
    /// <summary>Warnings for access letters of <paramref name="devices"/> that grant nothing, by JSON path.</summary>
    public static IEnumerable<string> AccessWarnings(IReadOnlyList<LinuxDeviceCgroup>? devices)
    {
        for (int i = 0; i < (devices?.Count ?? 0); i++)
            if (AccessWarning(devices![i].Access) is { } warning)
                yield return $"linux.resources.devices[{i}].access: {warning}";
    }

    /// <summary>The warning for one access string with letters other than r, w and m, or null.</summary>
    internal static string? AccessWarning(string? access) =>
        DeviceRule.UnknownAccessLetters(access) is { Length: > 0 } unknown
            ? $"\"{access}\": {string.Join(", ", unknown.Select(c => $"'{c}'"))} {(unknown.Length == 1 ? "is not an access letter" : "are not access letters")} (r, w, m) and {(unknown.Length == 1 ? "grants" : "grant")} nothing"
            : null;

    /// <summary>runc 1.1's default allowed devices, appended after the config's rules.</summary>
    public static readonly IReadOnlyList<DeviceRule> Defaults =
    [
        new('c', DeviceRule.Wildcard, DeviceRule.Wildcard, DeviceAccess.Mknod, true),
        new('b', DeviceRule.Wildcard, DeviceRule.Wildcard, DeviceAccess.Mknod, true),
        new('c', 1, 3, DeviceAccess.All, true), // /dev/null
        new('c', 1, 8, DeviceAccess.All, true), // /dev/random
        new('c', 1, 7, DeviceAccess.All, true), // /dev/full
        new('c', 5, 0, DeviceAccess.All, true), // /dev/tty
        new('c', 1, 5, DeviceAccess.All, true), // /dev/zero
        new('c', 1, 9, DeviceAccess.All, true), // /dev/urandom
        new('c', 136, DeviceRule.Wildcard, DeviceAccess.All, true), // /dev/pts/*
        new('c', 5, 2, DeviceAccess.All, true), // /dev/ptmx
        new('c', 10, 200, DeviceAccess.All, true), // /dev/net/tun
    ];

    /// <summary>The config's <c>linux.resources.devices</c> as rules (an absent type is <c>a</c>, an absent major or
    /// minor <c>*</c>, an absent access <c>rwm</c>).</summary>
    public static List<DeviceRule> FromSpec(IReadOnlyList<LinuxDeviceCgroup>? devices)
    {
        var rules = new List<DeviceRule>();
        if (devices is null) return rules;
        for (int i = 0; i < devices.Count; i++)
        {
            var d = devices[i];
            string field = $"linux.resources.devices[{i}]";
            char type = string.IsNullOrEmpty(d.Type) ? 'a' : d.Type.Length == 1 && d.Type[0] is 'a' or 'b' or 'c'
                ? d.Type[0]
                : throw new SpecValidationException(field + ".type", $"\"{d.Type}\" is not a, b or c");
            // Letters other than r, w and m grant nothing (see DeviceRule.UnknownAccessLetters).
            var access = string.IsNullOrEmpty(d.Access) ? DeviceAccess.All
                : DeviceRule.ParseAccess(new string(d.Access.Where(c => c is 'r' or 'w' or 'm').ToArray()))!.Value;
            if (d.Major is < -1 || d.Minor is < -1)
                throw new SpecValidationException(field, "major and minor must not be negative");
            rules.Add(new DeviceRule(type, d.Major ?? DeviceRule.Wildcard, d.Minor ?? DeviceRule.Wildcard, access, d.Allow));
        }
        return rules;
    }

    /// <summary>The state the container's device cgroup must have: the config's rules, then <see cref="Defaults"/>.</summary>
    public static DeviceRuleSet For(IReadOnlyList<LinuxDeviceCgroup>? devices)
    {
        var set = new DeviceRuleSet();
        var rules = FromSpec(devices);
        for (int i = 0; i < rules.Count; i++)
        {
            try
            {
                set.Apply(rules[i]);
            }
            catch (ArgumentException e)
            {
                throw new SpecValidationException($"linux.resources.devices[{i}]", e.Message);
            }
        }
        foreach (var rule in Defaults) set.Apply(rule);
        return set;
    }
}
