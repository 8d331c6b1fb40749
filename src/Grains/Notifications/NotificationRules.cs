using System.Text.RegularExpressions;
using CaseGrains.Domain;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;

namespace CaseGrains.Grains.Notifications;

/// <summary>What a user may set as their notification settings: addresses in a checkable form, a channel only with its address and only when the installation has it.</summary>
public static partial class NotificationRules
{
    public const int MaxEmailLength = 254;

    public static readonly string[] Languages = ["id", "en"];

    [GeneratedRegex(@"^\+[1-9][0-9]{7,14}$", RegexOptions.CultureInvariant)]
    private static partial Regex PhonePattern();

    /// <summary>The settings as kept (trimmed, empty as null, language defaulted to <c>id</c>), or the refusal.</summary>
    public static (NotificationSettings Settings, Refusal? Refusal) Check(NotificationSettings request, CaseGrainsOptions.DeliverySettings installation)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(installation);
        var email = string.IsNullOrWhiteSpace(request.Email) ? null : request.Email.Trim();
        var phone = string.IsNullOrWhiteSpace(request.Phone) ? null : request.Phone.Trim();
        var language = string.IsNullOrWhiteSpace(request.Language) ? "id" : request.Language.Trim();
        var settings = new NotificationSettings { Email = email, Phone = phone, Language = language, ByEmail = request.ByEmail, ByMessage = request.ByMessage };
        Refusal? refusal =
            email is not null && (email.Length > MaxEmailLength || email.Any(char.IsControl) || !System.Net.Mail.MailAddress.TryCreate(email, out var parsed) || parsed.Address != email)
                ? new Refusal("notify.email_invalid", "Alamat e-mail tidak valid.", "The e-mail address is not valid.") { Field = "email" }
            : phone is not null && !PhonePattern().IsMatch(phone)
                ? new Refusal("notify.phone_invalid", "Nomor telepon harus dalam bentuk internasional, mis. +6281234567890.",
                    "The phone number must be in international form, e.g. +6281234567890.") { Field = "phone" }
            : !Languages.Contains(language)
                ? Refusals.OutOfRange("language", "id atau en", "id or en")
            : request.ByEmail && email is null
                ? new Refusal("notify.address_missing", "Isi alamat e-mail untuk menerima pemberitahuan lewat e-mail.", "Give an e-mail address to be told by e-mail.") { Field = "email" }
            : request.ByMessage && phone is null
                ? new Refusal("notify.address_missing", "Isi nomor telepon untuk menerima pemberitahuan lewat WhatsApp/SMS.", "Give a phone number to be told by WhatsApp/SMS.") { Field = "phone" }
            : request.ByEmail && !installation.EmailEnabled
                ? new Refusal("notify.channel_unavailable", "Instalasi ini belum mengirim e-mail.", "This installation does not send e-mail.") { Field = "byEmail" }
            : request.ByMessage && !installation.MessageEnabled
                ? new Refusal("notify.channel_unavailable", "Instalasi ini belum terhubung ke gerbang WhatsApp/SMS.", "This installation has no WhatsApp/SMS gateway.") { Field = "byMessage" }
            : null;
        return (settings, refusal);
    }
}
