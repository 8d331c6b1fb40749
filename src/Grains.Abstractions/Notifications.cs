namespace CaseGrains.Grains.Abstractions;

/// <summary>
/// How a user is told of notices outside the app (docs/notifications.md): an e-mail address, a phone number for the
/// installation's WhatsApp/SMS gateway, the language of the messages, and which of the two to use. Set by the user.
/// </summary>
[GenerateSerializer, Immutable, Alias("cg.NotificationSettings")]
public sealed record NotificationSettings
{
    [Id(0)] public string? Email { get; init; }

    /// <summary>In international form, <c>+62…</c> (8 to 15 digits).</summary>
    [Id(1)] public string? Phone { get; init; }

    /// <summary><c>id</c> (Bahasa Indonesia, the default) or <c>en</c>.</summary>
    [Id(2)] public string? Language { get; init; }

    [Id(3)] public bool ByEmail { get; init; }

    /// <summary>By the WhatsApp/SMS gateway (the installation's webhook) to <see cref="Phone"/>.</summary>
    [Id(4)] public bool ByMessage { get; init; }

    public override string ToString() => $"NotificationSettings {{ ByEmail = {ByEmail}, ByMessage = {ByMessage}, Language = {Language} }}";
}

[GenerateSerializer, Immutable, Alias("cg.NotificationSettingsOutcome")]
public sealed record NotificationSettingsOutcome([property: Id(0)] NotificationSettings? Settings, [property: Id(1)] RefusalInfo? Refusal);

/// <summary>Where a notice goes outside the app.</summary>
public enum NoticeChannel
{
    Email,

    /// <summary>The WhatsApp/SMS gateway, through the installation's webhook.</summary>
    Message,
}

/// <summary>Where a delivery stands.</summary>
public enum DeliveryStatus
{
    /// <summary>Waiting for its first attempt or its next retry.</summary>
    Pending,
    Sent,

    /// <summary>Every attempt failed: kept for an admin to see (and send again).</summary>
    Failed,
}

/// <summary>
/// One notice to one recipient over one channel: at most one per (recipient, case, event, channel). The message is
/// written when it is sent, from the notice's kind, the case number and the event (no personal data of the beneficiary).
/// </summary>
[GenerateSerializer, Immutable, Alias("cg.NoticeDelivery")]
public sealed record NoticeDelivery(
    [property: Id(0)] string UserId,
    [property: Id(1)] string CaseNumber,
    [property: Id(2)] long Seq,
    [property: Id(3)] NoticeChannel Channel,
    [property: Id(4)] string Kind,
    [property: Id(5)] string EventType,
    [property: Id(6)] string Address,
    [property: Id(7)] string Language,
    [property: Id(8)] DeliveryStatus Status,
    [property: Id(9)] int Attempts,
    [property: Id(10)] DateTimeOffset CreatedAt,
    [property: Id(11)] DateTimeOffset NextAttemptAt,
    [property: Id(12)] DateTimeOffset? SentAt,
    [property: Id(13)] string? LastError)
{
    /// <summary>The delivery's stable id: the idempotency key a gateway receives and the e-mail's Message-ID.</summary>
    public string Id => $"{UserId}.{CaseNumber}.{Seq}.{Channel.ToString().ToLowerInvariant()}";

    public override string ToString() => $"NoticeDelivery {{ {Id}, {Status}, attempts {Attempts} }}";
}
