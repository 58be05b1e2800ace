using System.Runtime.InteropServices;
using Oci.Runtime.Interop;

namespace Oci.Runtime.Lifecycle;

/// <summary>While a foreground <c>run</c> waits, passes the signals it receives on to the container's init.</summary>
internal sealed class SignalForwarding : IDisposable
{
    // SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM, SIGCONT, SIGWINCH.
    static readonly int[] Forwarded = [1, 2, 3, 10, 12, 15, 18, 28];
    readonly List<PosixSignalRegistration> registrations = [];

    public static SignalForwarding To(int pid)
    {
        var forwarding = new SignalForwarding();
        foreach (int signal in Forwarded)
        {
            forwarding.registrations.Add(PosixSignalRegistration.Create((PosixSignal)signal, context =>
            {
                context.Cancel = true;
                Sys.Kill(pid, signal);
            }));
        }
        return forwarding;
    }

    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
    }
}
