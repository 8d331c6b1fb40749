using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.LiveClient;

/// <summary>One event of a case as the live protocol carries it (the timeline's entry; the payload as JSON).</summary>
public sealed record LiveEvent(string CaseNumber, long Seq, string Type, string ActorId, string ActorRole, DateTimeOffset OccurredAt, JsonElement Payload);

/// <summary>
/// A connection to <c>/hubs/cases</c> that hands out each case's events exactly once and in sequence order. The protocol:
/// connect, then <c>Resume</c> with the last seq held per case (again while the answer says <c>more</c>); a pushed event
/// at or below the seq held is a duplicate and dropped; one past a gap makes the client resume that case first; after a
/// reconnect, or when the server says <c>Resync</c> (a feed rebuilt after a silo was lost), everything is resumed.
/// <c>AccessEnded</c> forgets a case; <c>SessionEnded</c> ends the connection with a reason.
/// </summary>
public sealed class CaseFeedClient : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly HubConnection _connection;
    private readonly ConcurrentDictionary<string, long> _known = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _order = new(1, 1);
    private readonly Channel<LiveEvent> _events = Channel.CreateUnbounded<LiveEvent>();
    private readonly Channel<string> _accessEnded = Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<string, string> _endReasons = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<string> _sessionEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CaseFeedClient(HubConnection connection)
    {
        _connection = connection;
        _connection.On<JsonElement>("CaseEvent", e => OnPushedAsync(Read(e)));
        _connection.On<string, string>("AccessEnded", (caseNumber, reason) =>
        {
            _endReasons[caseNumber] = reason;
            return OnAccessEndedAsync(caseNumber);
        });
        _connection.On("Resync", () => ResumeAsync());
        _connection.On<string>("SessionEnded", reason =>
        {
            // The server closes the connection: no reconnect with a session that ended (sign in again for a new one).
            _sessionEnded.TrySetResult(reason);
            _ = _connection.StopAsync();
        });
        _connection.Reconnected += _ => ResumeAsync();
    }

    /// <summary>Each case's events, exactly once, in sequence order (pushed or fetched).</summary>
    public ChannelReader<LiveEvent> Events => _events.Reader;

    /// <summary>Cases the user may no longer see.</summary>
    public ChannelReader<string> AccessEnded => _accessEnded.Reader;

    /// <summary>Why access to a case ended, as the server said (<c>access-ended</c>, <c>consent-withdrawn</c>); a resume says no reason.</summary>
    public IReadOnlyDictionary<string, string> EndReasons => _endReasons;

    /// <summary>Completes with the reason when the server ends the session (sign-out, disabled, new password, changed access).</summary>
    public Task<string> SessionEnded => _sessionEnded.Task;

    /// <summary>The last seq handed out per case.</summary>
    public IReadOnlyDictionary<string, long> Positions => _known;

    public HubConnection Connection => _connection;

    /// <summary>
    /// Connects as the holder of <paramref name="token"/> and resumes the cases in <paramref name="have"/> (case → last seq
    /// held; a mentor's assigned cases are pushed without asking).
    /// </summary>
    public static async Task<CaseFeedClient> ConnectAsync(Uri baseAddress, Func<Task<string?>> token, IReadOnlyDictionary<string, long>? have = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "/hubs/cases"), o => o.AccessTokenProvider = token)
            .WithAutomaticReconnect([TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)])
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build();
        var client = new CaseFeedClient(connection);
        foreach (var (caseNumber, seq) in have ?? new Dictionary<string, long>())
        {
            client._known[caseNumber] = seq;
        }

        await connection.StartAsync(ct);
        await client.ResumeAsync();
        return client;
    }

    /// <summary>Follows a case (caseworkers, supervisors) from the seq held, fetching every page of what was missed.</summary>
    public async Task FollowAsync(string caseNumber, CancellationToken ct = default)
    {
        var answer = await _connection.InvokeAsync<JsonElement>("Follow", caseNumber, _known.GetValueOrDefault(caseNumber), ct);
        await _order.WaitAsync(ct);
        try
        {
            HandOut(answer.GetProperty("events").EnumerateArray().Select(Read));
        }
        finally
        {
            _order.Release();
        }

        if (answer.GetProperty("more").GetBoolean())
        {
            await ResumeAsync();
        }
    }

    /// <summary>
    /// Fetches what was missed for every case held, page after page, and hands it out in order. A case the server could
    /// not read just now comes back in <c>more</c> and is asked again after a moment; a failed call is tried again too.
    /// </summary>
    public async Task ResumeAsync()
    {
        await _order.WaitAsync();
        try
        {
            var have = _known.ToDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal);
            for (var attempt = 1; have.Count > 0; attempt++)
            {
                JsonElement answer;
                try
                {
                    answer = await _connection.InvokeAsync<JsonElement>("Resume", have);
                }
                catch (Exception) when (attempt < 20 && _connection.State == HubConnectionState.Connected)
                {
                    await Task.Delay(500);
                    continue;
                }

                var before = have;
                foreach (var ended in answer.GetProperty("accessEnded").EnumerateArray().Select(e => e.GetString()!))
                {
                    Forget(ended);
                }

                HandOut(answer.GetProperty("events").EnumerateArray().Select(Read));
                have = answer.GetProperty("more").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal);
                if (have.Count > 0 && have.All(h => before.TryGetValue(h.Key, out var seq) && seq == h.Value))
                {
                    await Task.Delay(500); // nothing moved: the cases left are being recovered
                }
            }
        }
        finally
        {
            _order.Release();
        }
    }

    private async Task OnPushedAsync(LiveEvent e)
    {
        bool gap;
        await _order.WaitAsync();
        try
        {
            // A case not held yet starts at 0: its history is fetched from the first event.
            gap = e.Seq > _known.GetOrAdd(e.CaseNumber, 0) + 1;
            if (!gap)
            {
                HandOut([e]);
            }
        }
        finally
        {
            _order.Release();
        }

        if (gap)
        {
            await ResumeAsync(); // fetches the missing ones and this one, in order
        }
    }

    private async Task OnAccessEndedAsync(string caseNumber)
    {
        await _order.WaitAsync();
        try
        {
            Forget(caseNumber);
        }
        finally
        {
            _order.Release();
        }
    }

    /// <summary>Hands out each event that is the next of its case, in sequence order (caller holds the order lock).</summary>
    private void HandOut(IEnumerable<LiveEvent> events)
    {
        foreach (var e in events.OrderBy(e => e.Seq))
        {
            if (e.Seq != _known.GetValueOrDefault(e.CaseNumber) + 1)
            {
                continue; // a duplicate, or past a gap (a resume fills it)
            }

            _known[e.CaseNumber] = e.Seq;
            _events.Writer.TryWrite(e);
        }
    }

    private void Forget(string caseNumber)
    {
        _known.TryRemove(caseNumber, out _);
        _accessEnded.Writer.TryWrite(caseNumber);
    }

    private static LiveEvent Read(JsonElement e) => e.Deserialize<LiveEvent>(Json)!;

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        _events.Writer.TryComplete();
        _accessEnded.Writer.TryComplete();
    }
}
