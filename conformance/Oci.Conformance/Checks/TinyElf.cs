using System.Buffers.Binary;

namespace Oci.Conformance.Checks;

/// <summary>
/// A static x86-64 Linux program of a few instructions, made here byte by byte (no toolchain on the host needed):
/// it makes one system call with all arguments 0 and writes as many 'x' to stdout as the errno it got (nothing on
/// success), then exits 0. Under a default-deny seccomp filter it needs only execve, write and exit_group.
/// </summary>
internal static class TinyElf
{
    const ulong Base = 0x400000;
    const int HeaderSize = 64 + 56;

    /// <summary>The program calling system call <paramref name="nr"/>.</summary>
    public static byte[] ErrnoAsXs(int nr)
    {
        var code = new List<byte>();
        void Add(params byte[] bytes) => code.AddRange(bytes);
        void Imm32(byte opcode, int value) { Add(opcode); Add(BitConverter.GetBytes(value)); }
        Imm32(0xb8, nr);                   // mov $nr, %eax
        Add(0x0f, 0x05);                   // syscall
        Add(0xf7, 0xd8);                   // neg %eax
        Add(0x89, 0xc2);                   // mov %eax, %edx   (count: the errno, 0 on success ...)
        Add(0x85, 0xd2);                   // test %edx, %edx
        Add(0x79, 0x02);                   // jns +2
        Add(0x31, 0xd2);                   // xor %edx, %edx   (... and on a positive result)
        Imm32(0xb8, 1);                    // mov $1, %eax     (write)
        Imm32(0xbf, 1);                    // mov $1, %edi
        Add(0x48, 0x8d, 0x35);             // lea buf(%rip), %rsi
        int displacementAt = code.Count;
        Add(0, 0, 0, 0);
        Add(0x0f, 0x05);                   // syscall
        Imm32(0xb8, 231);                  // mov $231, %eax   (exit_group)
        Add(0x31, 0xff);                   // xor %edi, %edi
        Add(0x0f, 0x05);                   // syscall
        int buffer = code.Count;
        BinaryPrimitives.WriteInt32LittleEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(code)[displacementAt..],
            buffer - (displacementAt + 4));
        for (int i = 0; i < 4096; i++) code.Add((byte)'x');

        var elf = new byte[HeaderSize + code.Count];
        var e = elf.AsSpan();
        e[0] = 0x7f; e[1] = (byte)'E'; e[2] = (byte)'L'; e[3] = (byte)'F';
        e[4] = 2; e[5] = 1; e[6] = 1;                                      // 64-bit, little-endian, version 1
        BinaryPrimitives.WriteUInt16LittleEndian(e[16..], 2);             // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(e[18..], 0x3e);          // EM_X86_64
        BinaryPrimitives.WriteUInt32LittleEndian(e[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(e[24..], Base + HeaderSize); // entry
        BinaryPrimitives.WriteUInt64LittleEndian(e[32..], 64);            // program headers
        BinaryPrimitives.WriteUInt16LittleEndian(e[52..], 64);            // header size
        BinaryPrimitives.WriteUInt16LittleEndian(e[54..], 56);            // program header size
        BinaryPrimitives.WriteUInt16LittleEndian(e[56..], 1);             // one program header
        var ph = e[64..];
        BinaryPrimitives.WriteUInt32LittleEndian(ph, 1);                  // PT_LOAD
        BinaryPrimitives.WriteUInt32LittleEndian(ph[4..], 5);             // R+X
        BinaryPrimitives.WriteUInt64LittleEndian(ph[16..], Base);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[24..], Base);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[32..], (ulong)elf.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[40..], (ulong)elf.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[48..], 0x1000);
        code.CopyTo(elf, HeaderSize);
        return elf;
    }
}
