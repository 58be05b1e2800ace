using System.Diagnostics;

namespace Oci.Runtime.Tests.Integration;

/// <summary>
/// Static programs of a few instructions, assembled at test time with gcc (no libc: each system call they make is
/// one the test chose, so a seccomp profile can allow exactly those). Each reports through its exit status.
/// </summary>
public static class TinyPrograms
{
    static readonly string Directory = Path.Combine(Path.GetTempPath(), "oci-run-tests", "tiny-programs-" + Environment.ProcessId);

    /// <summary>x86-64: write(1, "ok\n", 3), exit_group(0).</summary>
    public const string SayOk = """
        .globl _start
        _start:
          mov $1, %eax
          mov $1, %edi
          lea msg(%rip), %rsi
          mov $3, %edx
          syscall
          mov $231, %eax
          xor %edi, %edi
          syscall
        .section .rodata
        msg: .ascii "ok\n"
        """;

    /// <summary>x86-64: r = syscall(1000); unless r is -ENOSYS exits with -r; else mkdir("/tmp/d") and exits with
    /// 100 - its result (101: EPERM).</summary>
    public const string UnknownSyscall = """
        .globl _start
        _start:
          mov $1000, %eax
          syscall
          cmp $-38, %rax
          jne fail
          mov $83, %eax
          lea path(%rip), %rdi
          mov $0755, %esi
          syscall
          neg %eax
          lea 100(%rax), %edi
          mov $231, %eax
          syscall
        fail:
          neg %eax
          mov %eax, %edi
          mov $231, %eax
          syscall
        .section .rodata
        path: .asciz "/tmp/d"
        """;

    /// <summary>i386 (int $0x80): getuid32() must return 0 (else exits with -result); then mkdir("/tmp/d") and exits
    /// with 100 - its result (101: EPERM).</summary>
    public const string ThirtyTwoBit = """
        .globl _start
        _start:
          mov $199, %eax
          int $0x80
          test %eax, %eax
          jnz fail
          mov $39, %eax
          mov $path, %ebx
          mov $0755, %ecx
          int $0x80
          neg %eax
          lea 100(%eax), %ebx
          mov $1, %eax
          int $0x80
        fail:
          neg %eax
          mov %eax, %ebx
          mov $1, %eax
          int $0x80
        .data
        path: .asciz "/tmp/d"
        """;

    /// <summary>Assembles <paramref name="source"/> into a static executable in a directory of its own (to bind
    /// into a container); returns its path, or null with the reason when this host cannot build it.</summary>
    public static string? Build(string name, string source, bool thirtyTwoBit, out string reason)
    {
        reason = "";
        string dir = Path.Combine(Directory, name);
        string output = Path.Combine(dir, name);
        if (File.Exists(output)) return output;
        System.IO.Directory.CreateDirectory(dir);
        string asm = Path.Combine(Directory, name + ".S");
        File.WriteAllText(asm, source + "\n");
        var start = new ProcessStartInfo("gcc") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in (string[])[.. thirtyTwoBit ? ["-m32"] : Array.Empty<string>(), "-nostdlib", "-static", "-o", output, asm])
            start.ArgumentList.Add(arg);
        try
        {
            using var gcc = Process.Start(start)!;
            string errors = gcc.StandardError.ReadToEnd();
            gcc.WaitForExit();
            if (gcc.ExitCode == 0) return output;
            reason = $"gcc{(thirtyTwoBit ? " -m32" : "")} cannot build a static program here: {errors.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            reason = $"gcc is not installed: {e.Message}";
        }
        return null;
    }

    /// <summary>The program of that name (a constant of this class) built, or null with the reason.</summary>
    public static string? Build(string name, out string reason) => name switch
    {
        nameof(SayOk) => Build(name, SayOk, false, out reason),
        nameof(UnknownSyscall) => Build(name, UnknownSyscall, false, out reason),
        nameof(ThirtyTwoBit) => Build(name, ThirtyTwoBit, true, out reason),
        _ => throw new ArgumentException(name),
    };

    /// <summary>Why a test using program <paramref name="name"/> cannot run here, or null.</summary>
    public static string? Missing(string name) =>
        HostRequirements.MissingForContainers() ?? (Build(name, out string reason) is null ? reason : null);
}

/// <summary>A container test using a <see cref="TinyPrograms"/> program, skipped with the reason when it cannot be built.</summary>
public sealed class ProgramFactAttribute : Xunit.FactAttribute
{
    public ProgramFactAttribute(string program) => Skip = TinyPrograms.Missing(program);
}

/// <summary>The theory form of <see cref="ProgramFactAttribute"/>.</summary>
public sealed class ProgramTheoryAttribute : Xunit.TheoryAttribute
{
    public ProgramTheoryAttribute(string program) => Skip = TinyPrograms.Missing(program);
}
