using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// A real SMTP server (the SmtpServer package) on a free loopback port that keeps every message it accepts. While
/// <see cref="Hold"/> is set, a message's end of data is not answered until the sender goes away, and the message is
/// not kept: a relay that never took it.
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    public SmtpSink()
    {
        Port = AppHost.FreeTcpPort();
        var options = new SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public int Port { get; }

    public ConcurrentQueue<MimeMessage> Messages { get; } = new();

    /// <summary>Set: the next messages are held unanswered (and dropped when their sender goes away).</summary>
    public volatile bool Hold;

    /// <summary>Completes when a held message has arrived (the sender is waiting for the answer).</summary>
    public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(int count, TimeSpan timeout)
    {
        for (var deadline = DateTime.UtcNow + timeout; Messages.Count < count && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(50);
        }

        return [.. Messages];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private sealed class Store(SmtpSink sink) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (sink.Hold)
            {
                sink.Held.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken); // the sender dies first: nothing is kept
            }

            await using var stream = new MemoryStream(buffer.ToArray());
            sink.Messages.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}

/// <summary>A WhatsApp/SMS gateway's webhook on a free loopback port: answers 503 while <see cref="FailNext"/> is above zero (counting down), else 200, and keeps what it accepted.</summary>
internal sealed class GatewaySink : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewaySink(WebApplication app) => _app = app;

    public string Url => _app.Urls.First() + "/hook";

    public int FailNext;

    /// <summary>Every request, accepted or not: its body, signature and idempotency key.</summary>
    public ConcurrentQueue<(string Body, string? Signature, string? Key, bool Accepted)> Requests { get; } = new();

    public IEnumerable<(string Body, string? Signature, string? Key, bool Accepted)> Accepted => Requests.Where(r => r.Accepted);

    public static async Task<GatewaySink> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{AppHost.FreeTcpPort()}");
        var app = builder.Build();
        var sink = new GatewaySink(app);
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var accepted = Interlocked.Decrement(ref sink.FailNext) < 0;
            sink.Requests.Enqueue((body, http.Request.Headers["X-CaseGrains-Signature"].ToString(), http.Request.Headers["Idempotency-Key"].ToString(), accepted));
            return accepted ? Results.Ok() : Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        });
        await app.StartAsync();
        return sink;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
