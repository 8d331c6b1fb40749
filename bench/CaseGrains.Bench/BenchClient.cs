using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace CaseGrains.Bench;

/// <summary>What every benchmark does against a deployment's API and hub: sign in, create accounts, connect a mentor.</summary>
internal static class BenchClient
{
    /// <summary>The password of every account a benchmark creates.</summary>
    public const string Password = "bench password 12345";

    public static async Task<string> TokenAsync(HttpClient http, string user, string password)
    {
        using var response = await http.PostAsJsonAsync("/api/auth/token", new { userId = user, password });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return response.IsSuccessStatusCode
            ? body.GetProperty("accessToken").GetString()!
            : throw new InvalidOperationException($"sign-in of {user} failed: {(int)response.StatusCode} {body}");
    }

    /// <summary>Creates (or updates) an account with <see cref="Password"/>, as the admin whose token is given.</summary>
    public static async Task PutUserAsync(HttpClient http, string adminToken, string id, string role, string[] regions)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/users/{id}")
        {
            Content = JsonContent.Create(new { displayName = id, role, regions, password = Password }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT /api/users/{id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>
    /// A hub connection as the web page makes it: WebSockets without negotiation, the token in the query, a ping every
    /// 5 s (the server drops a client silent for 15 s) and the server given up after 15 s of silence.
    /// </summary>
    public static HubConnection MentorHub(Uri baseAddress, string token)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "/hubs/cases"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        connection.KeepAliveInterval = TimeSpan.FromSeconds(5);
        connection.ServerTimeout = TimeSpan.FromSeconds(15);
        return connection;
    }
}
