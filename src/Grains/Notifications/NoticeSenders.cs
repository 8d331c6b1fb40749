using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace CaseGrains.Grains.Notifications;

/// <summary>Sends one delivery over its channel; throws when the relay or the gateway did not take it.</summary>
public interface INoticeSender
{
    Task SendAsync(NoticeDelivery delivery, NoticeText text, CancellationToken ct);
}

/// <summary>
/// E-mail through the installation's SMTP relay (MailKit). The Message-ID is the delivery's id, so a relay or a mailbox
/// that sees the same message twice (a silo died after the relay took it, before the outbox heard) can tell.
/// </summary>
public sealed class SmtpNoticeSender(CaseGrainsOptions.SmtpSettings smtp) : INoticeSender
{
    public async Task SendAsync(NoticeDelivery delivery, NoticeText text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(text);
        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From!));
        message.To.Add(MailboxAddress.Parse(delivery.Address));
        message.Subject = text.Subject;
        message.MessageId = $"{delivery.Id}@casegrains";
        var body = new TextPart("plain") { Text = text.Body };
        body.Headers.Add(HeaderId.ContentLanguage, delivery.Language);
        message.Body = body;

        using var client = new SmtpClient { Timeout = 30_000 };
        var security = Enum.Parse<CaseGrainsOptions.SmtpSecurity>(smtp.Security) switch
        {
            CaseGrainsOptions.SmtpSecurity.None => SecureSocketOptions.None,
            CaseGrainsOptions.SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTls,
        };
        await client.ConnectAsync(smtp.Host!, smtp.Port, security, ct);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", ct);
        }

        await client.SendAsync(message, ct);
        await client.DisconnectAsync(quit: true, ct);
    }
}

/// <summary>
/// A WhatsApp/SMS message through the installation's gateway: a JSON POST to its webhook, signed with HMAC-SHA256 of the
/// body under the shared secret (<c>X-CaseGrains-Signature: sha256=…</c>), with the delivery's id as
/// <c>Idempotency-Key</c> so the gateway sends a retried request once. Any answer but 2xx is a failure to retry.
/// </summary>
public sealed class WebhookNoticeSender(CaseGrainsOptions.WebhookSettings webhook, HttpClient http) : INoticeSender
{
    public async Task SendAsync(NoticeDelivery delivery, NoticeText text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(text);
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            id = delivery.Id, to = delivery.Address, language = delivery.Language, text = $"{text.Subject}\n{text.Body}", caseNumber = delivery.CaseNumber,
            kind = delivery.Kind,
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("Idempotency-Key", delivery.Id);
        request.Headers.Add("X-CaseGrains-Signature", "sha256=" + Signature(webhook.Secret!, body));
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"the gateway answered {(int)response.StatusCode}", null, response.StatusCode);
        }
    }

    /// <summary>The hex HMAC-SHA256 of <paramref name="body"/> under <paramref name="secret"/>, as the gateway checks it.</summary>
    public static string Signature(string secret, byte[] body) => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
