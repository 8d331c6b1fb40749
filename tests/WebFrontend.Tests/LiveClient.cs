using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>A hub connection for a user, recording what the server pushes.</summary>
internal sealed class LiveClient : IAsyncDisposable
{
    public Channel<JsonElement> Events { get; } = Channel.CreateUnbounded<JsonElement>();

    public Channel<string> Ended { get; } = Channel.CreateUnbounded<string>();

    /// <summary>Why access to each ended case ended, as the server said.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, string> EndReasons { get; } = new(StringComparer.Ordinal);

    public HubConnection Connection { get; private init; } = null!;

    public static async Task<LiveClient> ConnectAsync(AppHost app, string userId)
    {
        var token = await app.TokenFor(userId);
        var client = new LiveClient
        {
            Connection = new HubConnectionBuilder()
                .WithUrl(new Uri(app.BaseAddress, "/hubs/cases"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
                .Build(),
        };
        client.Connection.On<JsonElement>("CaseEvent", e => client.Events.Writer.TryWrite(e));
        client.Connection.On<string, string>("AccessEnded", (c, reason) =>
        {
            client.EndReasons[c] = reason;
            client.Ended.Writer.TryWrite(c);
        });
        await client.Connection.StartAsync();
        // The protocol: connect, then Resume. The server runs invocations only after the connection's feed is
        // subscribed, so from here on nothing can fall between "what I had" and "what is pushed".
        await client.Connection.InvokeAsync<JsonElement>("Resume", new Dictionary<string, long>());
        return client;
    }

    public async Task<JsonElement> NextEventAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        return await Events.Reader.ReadAsync(cts.Token);
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
