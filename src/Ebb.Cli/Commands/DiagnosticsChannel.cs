using Microsoft.Diagnostics.NETCore.Client;

namespace Ebb.Cli.Commands;

/// <summary>
/// Starts an EventPipe session in another .NET process over its diagnostics IPC channel, the
/// one way in that <c>ebb stats PID</c> and <c>ebb map PID</c> share, with one reason in words
/// when it cannot (<see cref="DiagnosticsChannelException"/>): never the client's stack trace.
/// </summary>
internal static class DiagnosticsChannel
{
    /// <summary>A session of <paramref name="providers"/> in process <paramref name="pid"/>.</summary>
    public static EventPipeSession Start(int pid, params EventPipeProvider[] providers)
    {
        try
        {
            return new DiagnosticsClient(pid).StartEventPipeSession(providers, requestRundown: false);
        }
        catch (Exception e) when (e is ServerNotAvailableException or DiagnosticsClientException or TimeoutException or IOException)
        {
            throw new DiagnosticsChannelException($"cannot attach to process {pid}: not a .NET process, or its diagnostics are off (DOTNET_EnableDiagnostics=0)");
        }
        catch (UnauthorizedAccessException)
        {
            throw new DiagnosticsChannelException($"cannot attach to process {pid}: permission denied (another user's process?)");
        }
    }

    /// <summary>Stops a session, ignoring a process that has gone or a session already stopped.</summary>
    public static void Stop(EventPipeSession session)
    {
        try { session.Stop(); }
        catch (Exception e) when (e is ServerNotAvailableException or DiagnosticsClientException or IOException or ObjectDisposedException or TimeoutException) { }
    }
}

/// <summary>Why a process's diagnostics channel gave no answer, in one line without the verb's prefix.</summary>
internal sealed class DiagnosticsChannelException(string reason) : Exception(reason);
