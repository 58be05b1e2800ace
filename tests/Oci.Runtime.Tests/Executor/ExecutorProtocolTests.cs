using System.Buffers.Binary;
using Oci.Runtime.Executor;
using Oci.Runtime.Interop;
using Xunit;

namespace Oci.Runtime.Tests.Executor;

/// <summary>The executor on its own (no root needed): a malformed, truncated or unknown plan, or a runtime that
/// vanishes mid-plan, ends it with a clean error and an exit status, never a crash or a hang.</summary>
public sealed class ExecutorProtocolTests
{
    static byte[] Step(uint op, uint step, long[] ints, params byte[][] strings) =>
        new PlanStep((PlanOp)op, ints, strings, "", "test").Encode((int)step);

    /// <summary>Sends raw messages to a fresh executor; returns what it reported and its exit status.</summary>
    static (string? Error, int Status) Run(params byte[][] messages)
    {
        var exe = ExecutorProcess.Start(0);
        int pid = exe.Pid;
        string? error = null;
        try
        {
            foreach (var message in messages)
                if (!Sys.SendMessage(exe.Socket, message, [])) break;
            // The plan ends here: the executor reads end-of-file after what was sent.
            Sys.ShutdownWrite(exe.Socket);
            try
            {
                exe.Receive();
            }
            catch (OciException e)
            {
                error = e.Message;
            }
        }
        finally
        {
            exe.CloseChannel();
        }
        int status = Sys.WaitPid(pid);
        return (error, status);
    }

    static int ExitCode(int status) => (status >> 8) & 0xff;
    static int Signal(int status) => status & 0x7f;

    [Fact]
    public void A_runtime_that_vanishes_before_the_plan_ends_it_with_status_1()
    {
        var (_, status) = Run();
        Assert.Equal(0, Signal(status));
        Assert.Equal(1, ExitCode(status));
    }

    [Fact]
    public void A_truncated_step_is_a_protocol_error()
    {
        var step = Step((uint)PlanOp.UMASK, 0, [0x12]);
        var (error, status) = Run(step[..^3]);
        Assert.Equal(0, Signal(status));
        Assert.NotEqual(0, ExitCode(status));
        Assert.Contains("Protocol error", error);
    }

    [Fact]
    public void An_unknown_step_is_a_protocol_error()
    {
        var step = Step((uint)PlanOp.UMASK, 0, [0x12]);
        BinaryPrimitives.WriteUInt32LittleEndian(step, 9999);
        var (error, status) = Run(step);
        Assert.Equal(0, Signal(status));
        Assert.NotEqual(0, ExitCode(status));
        Assert.Contains("Protocol error", error);
    }

    [Fact]
    public void A_step_with_the_wrong_number_of_arguments_is_a_protocol_error()
    {
        var step = Step((uint)PlanOp.UMASK, 0, [0x12]);
        BinaryPrimitives.WriteUInt32LittleEndian(step.AsSpan(8), 2); // claims two integers, carries one
        var (error, status) = Run(step);
        Assert.Equal(0, Signal(status));
        Assert.NotEqual(0, ExitCode(status));
        Assert.Contains("Protocol error", error);
    }

    [Fact]
    public void A_huge_string_length_is_a_protocol_error_not_an_overread()
    {
        var step = Step((uint)PlanOp.CHDIR, 0, [], "/tmp"u8.ToArray());
        BinaryPrimitives.WriteUInt32LittleEndian(step.AsSpan(16), uint.MaxValue);
        var (error, status) = Run(step);
        Assert.Equal(0, Signal(status));
        Assert.NotEqual(0, ExitCode(status));
        Assert.Contains("Protocol error", error);
    }

    [Fact]
    public void A_slot_out_of_range_is_an_error()
    {
        var (error, status) = Run(Step((uint)PlanOp.CLOSE, 0, [1000]));
        Assert.Equal(0, Signal(status));
        Assert.NotEqual(0, ExitCode(status));
        Assert.Contains("Bad file descriptor", error);
    }

    [Fact]
    public void A_failed_step_is_reported_with_its_errno()
    {
        var (error, status) = Run(Step((uint)PlanOp.CHDIR, 0, [], "/nonexistent-oci-run-test"u8.ToArray()));
        Assert.Equal(0, Signal(status));
        Assert.NotEqual(0, ExitCode(status));
        Assert.Contains("No such file or directory", error);
    }

    [Fact]
    public void Random_bytes_never_crash_the_executor()
    {
        var random = new Random(1234);
        for (int i = 0; i < 50; i++)
        {
            var message = new byte[random.Next(1, 200)];
            random.NextBytes(message);
            // Now and then a real step number, so that argument parsing is reached too; only steps without effects
            // outside the executor (the tests run as root).
            PlanOp[] harmless = [PlanOp.CLOSE, PlanOp.UMASK, PlanOp.PUSH, PlanOp.NOTIFY, PlanOp.CHECK];
            if (i % 2 == 0 && message.Length >= 4) BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)harmless[random.Next(harmless.Length)]);
            var (_, status) = Run(message);
            Assert.True(Signal(status) == 0, $"message {i} killed the executor with signal {Signal(status)}");
            Assert.NotEqual(0, ExitCode(status));
        }
    }
}
