using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CaseGrains.Grains.Notifications;

/// <summary>
/// Puts a notice in the outbox for each recipient who asked to be told outside the app, on each channel they chose
/// that the installation has, with the address and language as they are now. The outbox's key keeps one delivery per
/// recipient, event and channel, so running the notices consequence again adds nothing.
/// </summary>
public sealed class NoticeEnqueuer(INoticeOutbox outbox, IGrainFactory grains, IOptions<CaseGrainsOptions> options,
    [FromKeyedServices(ProviderNames.Clock)] TimeProvider clock)
{
    public async Task EnqueueAsync(string caseNumber, long seq, string kind, string eventType, IEnumerable<string> recipients)
    {
        var installation = options.Value.Notifications;
        if (!installation.EmailEnabled && !installation.MessageEnabled)
        {
            return;
        }

        var deliveries = new List<NoticeDelivery>();
        var now = clock.GetUtcNow();
        foreach (var userId in recipients.Distinct(StringComparer.Ordinal))
        {
            if (await grains.GetGrain<IUserGrain>(userId).GetNotificationSettings() is not { } settings)
            {
                continue;
            }

            var language = settings.Language ?? "id";
            if (settings is { ByEmail: true, Email: { } email } && installation.EmailEnabled)
            {
                deliveries.Add(new NoticeDelivery(userId, caseNumber, seq, NoticeChannel.Email, kind, eventType, email, language, DeliveryStatus.Pending, 0, now, now, null, null));
            }

            if (settings is { ByMessage: true, Phone: { } phone } && installation.MessageEnabled)
            {
                deliveries.Add(new NoticeDelivery(userId, caseNumber, seq, NoticeChannel.Message, kind, eventType, phone, language, DeliveryStatus.Pending, 0, now, now, null, null));
            }
        }

        if (deliveries.Count > 0)
        {
            await outbox.EnqueueDeliveriesAsync(deliveries, now, CancellationToken.None);
        }
    }
}
