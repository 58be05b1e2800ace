using System.Buffers.Binary;
using System.Text;

namespace Oci.Runtime.Executor;

/// <summary>
/// One step of a plan: a system call or a job of a fixed shape for the executor (plan.def says what each takes),
/// the spec field it came from, and a one-line description for errors and tests.
/// </summary>
internal sealed class PlanStep
{
    internal PlanStep(PlanOp op, long[] ints, byte[][] strings, string origin, string description, int[]? fds = null)
    {
        var (wantInts, wantStrings) = PlanArity.Of(op);
        if ((wantInts >= 0 && ints.Length != wantInts) || (wantStrings >= 0 && strings.Length != wantStrings))
            throw new ArgumentException($"{op} takes {wantInts} integers and {wantStrings} strings");
        Op = op;
        Ints = ints;
        Strings = strings;
        Origin = origin;
        Description = description;
        Fds = fds ?? [];
    }

    /// <summary>What to do.</summary>
    public PlanOp Op { get; }
    /// <summary>The integer arguments.</summary>
    public long[] Ints { get; }
    /// <summary>The string (byte) arguments.</summary>
    public byte[][] Strings { get; }
    /// <summary>The spec field the step serves (<c>mounts[2]</c>, <c>process.rlimits[0]</c>), or "" for the
    /// runtime's own steps.</summary>
    public string Origin { get; }
    /// <summary>What the step does, in words (<c>mount tmpfs on /dev</c>).</summary>
    public string Description { get; }
    /// <summary>The descriptors a <see cref="PlanOp.FDS"/> step carries (the runtime's; not owned).</summary>
    public int[] Fds { get; }

    /// <summary>The step as one line: <c>mount tmpfs on /dev (nosuid,strictatime,mode=755) [mounts[1]]</c>.</summary>
    public override string ToString() => Origin.Length == 0 ? Description : $"{Description} [{Origin}]";

    /// <summary>The step on the wire (plan.def), numbered <paramref name="index"/>.</summary>
    public byte[] Encode(int index)
    {
        var buffer = new byte[EncodedLength];
        Encode(index, buffer);
        return buffer;
    }

    /// <summary>The length of the step on the wire.</summary>
    public int EncodedLength
    {
        get
        {
            int length = 16 + 8 * Ints.Length;
            foreach (var s in Strings) length += 4 + s.Length;
            return length;
        }
    }

    /// <summary>Writes the step on the wire, numbered <paramref name="index"/>, at the start of <paramref name="span"/>
    /// (at least <see cref="EncodedLength"/> bytes).</summary>
    public void Encode(int index, Span<byte> span)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)Op);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)index);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)Ints.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)Strings.Length);
        int at = 16;
        foreach (long value in Ints)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], value);
            at += 8;
        }
        foreach (var s in Strings)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)s.Length);
            s.CopyTo(span[(at + 4)..]);
            at += 4 + s.Length;
        }
    }

    internal static byte[] Text(string? value) => string.IsNullOrEmpty(value) ? [] : Encoding.UTF8.GetBytes(value);
}
