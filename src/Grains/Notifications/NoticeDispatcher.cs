using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CaseGrains.Grains.Notifications;

/// <summary>
/// Sends the outbox (docs/notifications.md). Every silo runs one: it takes a few due deliveries under a lease (an attempt
/// counted), sends each over its channel, and records the outcome: sent, or the next attempt after a doubling wait, or
/// failed for admins after the last attempt. Each attempt must end (it is cancelled) before the lease does, and an outcome
/// is written only while the lease is still this silo's; a silo that dies while sending leaves its deliveries to any silo
/// once the lease ends, so a delivery is sent again only when the relay took it in the moment before the silo died.
/// </summary>
public sealed partial class NoticeDispatcher(
    INoticeOutbox outbox,
    IOptions<CaseGrainsOptions> options,
    [FromKeyedServices(ProviderNames.Clock)] TimeProvider clock,
    ILogger<NoticeDispatcher> logger) : BackgroundService
{
    private const int Batch = 20;

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Notifications;
        if (!settings.EmailEnabled && !settings.MessageEnabled)
        {
            return; // nothing leaves this installation; the in-app notices stay
        }

        var senders = new Dictionary<NoticeChannel, INoticeSender>();
        if (settings.EmailEnabled)
        {
            senders[NoticeChannel.Email] = new SmtpNoticeSender(settings.Smtp);
        }

        if (settings.MessageEnabled)
        {
            senders[NoticeChannel.Message] = new WebhookNoticeSender(settings.Webhook, _http);
        }

        using var timer = new PeriodicTimer(settings.PollEvery, clock);
        do
        {
            try
            {
                while (!stoppingToken.IsCancellationRequested && await SendDueAsync(settings, senders, stoppingToken) == Batch)
                {
                    // a full batch: more may be due
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPollFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task<int> SendDueAsync(CaseGrainsOptions.DeliverySettings settings, Dictionary<NoticeChannel, INoticeSender> senders, CancellationToken ct)
    {
        // Whole milliseconds: the lease's end is how this silo knows the row is still its own, in either database.
        var now = clock.GetUtcNow();
        var until = now + settings.Lease;
        until = until.AddTicks(-(until.Ticks % TimeSpan.TicksPerMillisecond));
        var attemptTimeout = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(60).Ticks, settings.Lease.Ticks / 2));
        var due = await outbox.ClaimDeliveriesAsync(now, until, Batch, ct);
        foreach (var delivery in due)
        {
            if (clock.GetUtcNow() + attemptTimeout > until)
            {
                break; // not enough of the lease left for one more attempt: the rest go to whichever silo takes them next
            }

            string? error = null;
            try
            {
                if (!senders.TryGetValue(delivery.Channel, out var sender))
                {
                    throw new InvalidOperationException($"the {delivery.Channel} channel is not configured on this silo");
                }

                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(attemptTimeout);
                await sender.SendAsync(delivery, NoticeText.For(delivery, settings.AppUrl), attempt.Token);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                error = $"{e.GetType().Name}: {e.Message}";
            }

            now = clock.GetUtcNow();
            var outcome = error is null ? delivery with { Status = DeliveryStatus.Sent, SentAt = now, LastError = null }
                : delivery.Attempts >= settings.MaxAttempts ? delivery with { Status = DeliveryStatus.Failed, LastError = error }
                : delivery with { Status = DeliveryStatus.Pending, NextAttemptAt = now + settings.Backoff(delivery.Attempts), LastError = error };
            await outbox.FinishDeliveryAsync(outcome, until, CancellationToken.None);
            if (error is not null)
            {
                LogDeliveryFailed(delivery.Id, delivery.Attempts, error);
            }
        }

        return due.Count;
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notice delivery {DeliveryId} failed (attempt {Attempt}): {Error}")]
    private partial void LogDeliveryFailed(string deliveryId, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Looking for notice deliveries failed")]
    private partial void LogPollFailed(Exception error);
}
