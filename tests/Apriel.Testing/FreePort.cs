using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Apriel.Testing;

/// <summary>Free loopback TCP ports for servers the tests start.</summary>
public static class FreePort
{
    private static readonly ConcurrentDictionary<int, bool> HandedOut = new();

    /// <summary>
    /// A port the OS just handed out and released, never the same one twice in this process
    /// (several are picked before the servers bind). Another process could still take it
    /// before the server binds; the kernel cycles through ephemeral ports, so that is rare.
    /// </summary>
    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (HandedOut.TryAdd(port, true))
            {
                return port;
            }
        }
    }
}
