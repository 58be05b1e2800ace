using System.Text;
using Oci.Runtime.Lifecycle;
using Xunit;

namespace Oci.Runtime.Tests.Lifecycle;

/// <summary>Reading a process's start time from /proc/PID/stat.</summary>
public class ProcessInfoTests
{
    const string Tail = " 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654321 20 21\n";

    [Theory]
    [InlineData("4242 (sh) S" + Tail)]
    [InlineData("4242 (a (weird) name) R" + Tail)]
    [InlineData("4242 (with ) space) S" + Tail)]
    public void ReadsField22AfterTheLastParenthesis(string line) =>
        Assert.Equal(987654321UL, ProcessInfo.ParseStartTime(Encoding.ASCII.GetBytes(line)));

    [Theory]
    [InlineData("4242 (sh) Z" + Tail)]
    [InlineData("4242 (sh) X" + Tail)]
    [InlineData("4242 (sh) S 1 2 3")]
    [InlineData("garbage")]
    [InlineData("")]
    public void IsNullForZombiesDeadAndMalformedLines(string line) =>
        Assert.Null(ProcessInfo.ParseStartTime(Encoding.ASCII.GetBytes(line)));

    [Fact]
    public void OwnProcessIsAliveAndAFreePidIsNot()
    {
        int self = Environment.ProcessId;
        ulong? start = ProcessInfo.StartTime(self);
        Assert.NotNull(start);
        Assert.True(ProcessInfo.IsAlive(self, start!.Value));
        Assert.Null(ProcessInfo.StartTime(int.MaxValue));
    }

    [Fact]
    public void A_childs_parent_is_this_process()
    {
        using var child = System.Diagnostics.Process.Start("sleep", "5");
        try
        {
            Assert.Equal(Environment.ProcessId, ProcessInfo.ParentPid(child.Id));
            Assert.NotEqual(Environment.ProcessId, ProcessInfo.ParentPid(Environment.ProcessId));
            Assert.Null(ProcessInfo.ParentPid(int.MaxValue));
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }
    }
}
