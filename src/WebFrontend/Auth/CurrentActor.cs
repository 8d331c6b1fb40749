using CaseGrains.Grains.Abstractions;
using Microsoft.Extensions.Options;

namespace CaseGrains.WebFrontend.Auth;

/// <summary><c>CaseGrains:DevelopmentActor</c>: the identity recorded on events until sign-in exists.</summary>
public sealed class DevelopmentActorOptions
{
    public const string Section = "CaseGrains:DevelopmentActor";

    public string Id { get; set; } = "dev-caseworker";

    public string Role { get; set; } = "Caseworker";
}

/// <summary>
/// The one place that says who is calling. Today it returns the configured development identity; sign-in
/// replaces this class's body, and every endpoint already asks it.
/// </summary>
public sealed class CurrentActor(IOptions<DevelopmentActorOptions> options)
{
    public Actor For(HttpContext context) => new(options.Value.Id, options.Value.Role);
}
