using System.Net;
using System.Net.Sockets;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// A mentor's patchy link, on loopback: the browser talks to the app through this TCP relay, which the test can cut
/// (<see cref="Down"/>: open connections are reset and new ones refused, as when the phone loses its signal), restore
/// (<see cref="Up"/>), or lose the answers to commands (<see cref="LoseCommandAnswers"/>: a command reaches the server, its answer
/// never comes back — the case where only the command id keeps a second send harmless). The port stays the same, so the
/// page's origin (its service worker and IndexedDB) does too.
/// </summary>
internal sealed class LinkProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly object _gate = new();
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private volatile bool _loseAnswers;

    public LinkProxy(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Loopback, target.Port);
        Port = AppHost.FreeTcpPort();
        Up();
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>The answers to commands (POST) are lost from now on — the commands still reach the server — until <see cref="Up"/>.</summary>
    public void LoseCommandAnswers()
    {
        Listen();
        _loseAnswers = true;
        CloseOpen();
    }

    public void Up()
    {
        _loseAnswers = false;
        Listen();
    }

    private void Listen()
    {
        lock (_gate)
        {
            if (_listener is not null)
            {
                return;
            }

            var listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            _listener = listener;
            _ = AcceptAsync(listener);
        }
    }

    public void Down()
    {
        lock (_gate)
        {
            _listener?.Stop();
            _listener = null;
        }

        CloseOpen();
    }

    private void CloseOpen()
    {
        lock (_gate)
        {
            foreach (var client in _open)
            {
                // Reset, not a polite close: the browser sees the link fail, as it does when the signal goes.
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
            }

            _open.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var server = new TcpClient();
        lock (_gate)
        {
            _open.Add(client);
        }

        try
        {
            await server.ConnectAsync(_target);
            var loseNext = false;
            var up = PumpAsync(client.GetStream(), server.GetStream(), chunk =>
            {
                // Requests are not pipelined: a chunk that starts a POST is a whole command, and the next bytes from the
                // server are its answer.
                if (_loseAnswers && chunk.Length > 5 && chunk.Span[..5].SequenceEqual("POST "u8))
                {
                    loseNext = true;
                }
            });
            var down = PumpAsync(server.GetStream(), client.GetStream(), _ =>
            {
                if (loseNext)
                {
                    client.Client.LingerState = new LingerOption(true, 0);
                    client.Client.Close();
                }
            });
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The link was cut, or a side closed: the relay ends.
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(client);
            }

            client.Dispose();
        }
    }

    /// <summary>Copies <paramref name="from"/> to <paramref name="to"/>, showing each chunk to <paramref name="seen"/> before passing it on.</summary>
    private static async Task PumpAsync(Stream from, Stream to, Action<ReadOnlyMemory<byte>> seen)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await from.ReadAsync(buffer);
            if (read == 0)
            {
                return;
            }

            seen(buffer.AsMemory(0, read));
            await to.WriteAsync(buffer.AsMemory(0, read));
        }
    }

    public ValueTask DisposeAsync()
    {
        Down();
        return ValueTask.CompletedTask;
    }
}
