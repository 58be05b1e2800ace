using Xunit;

namespace Oci.Runtime.Tests.Api;

/// <summary>Signal names as <c>kill</c> and the stop-signal annotation write them, and the signal a <c>kill</c>
/// without one sends (config.md, Annotations: org.opencontainers.image.stopSignal).</summary>
public sealed class SignalNamesTests
{
    [Theory]
    [InlineData("KILL", 9)]
    [InlineData("SIGKILL", 9)]
    [InlineData("sigusr1", 10)]
    [InlineData("9", 9)]
    [InlineData("0", 0)]
    [InlineData("RTMIN+3", 37)]
    [InlineData("SIGRTMAX-1", 63)]
    public void NamesAndNumbersParse(string text, int expected)
    {
        Assert.True(SignalNames.TryParse(text, out var signal));
        Assert.Equal(expected, (int)signal);
    }

    [Theory]
    [InlineData("NOPE")]
    [InlineData("65")]
    [InlineData("-1")]
    [InlineData("RTMIN+40")]
    [InlineData("")]
    public void OtherTextIsNoSignal(string text) => Assert.False(SignalNames.TryParse(text, out _));

    [Fact]
    public void KillWithoutASignalSendsTheStopSignalAnnotationOrSigterm()
    {
        Assert.Equal(Signal.Term, SignalNames.StopSignal(null));
        Assert.Equal(Signal.Term, SignalNames.StopSignal(new() { ["org.example"] = "SIGKILL" }));
        Assert.Equal(Signal.Usr1, SignalNames.StopSignal(new() { ["org.opencontainers.image.stopSignal"] = "SIGUSR1" }));
        Assert.Equal((Signal)37, SignalNames.StopSignal(new() { ["org.opencontainers.image.stopSignal"] = "SIGRTMIN+3" }));
    }
}
