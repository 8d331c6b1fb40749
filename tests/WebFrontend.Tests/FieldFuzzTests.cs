using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CaseGrains.Grains.Abstractions;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Every field of every command body, taken from the contract types themselves, gets malformed, oversized,
/// wrong-typed, unicode and injection values. The answer is a 4xx problem with a stable code and nothing changed,
/// or (for free text that is merely unusual) an accepted command that stored the text verbatim. Never a 5xx.
/// </summary>
[Collection(AppCollection.Name)]
[Trait("Category", "Quick")]
public sealed class FieldFuzzTests(AppFixture fx)
{
    private AppHost App => fx.App;

    /// <summary>Endpoint suffix → the contract its body binds to, with a valid base body.</summary>
    private static readonly (string Suffix, Type Contract, string BaseBody)[] Commands =
    [
        ("/consent", typeof(RecordConsentRequest), """{"method":"tanda tangan"}"""),
        ("/assessment", typeof(RecordAssessmentRequest), """{"sector":"Kuliner","annualTurnoverIdr":1000000,"businessCapitalIdr":500000,"workers":2,"needs":["pasar"]}"""),
        ("/stages/training/skip", typeof(StageCommandRequest), """{"reason":"sudah ikut"}"""),
        ("/close", typeof(CloseCaseRequest), """{"reason":"Moved","note":"pindah"}"""),
        ("/reopen", typeof(ReopenCaseRequest), """{"reason":"kembali"}"""),
        ("/closure-request", typeof(RequestClosureRequest), """{"reason":"Moved","note":"pindah"}"""),
        ("/reopening-request", typeof(RequestReopeningRequest), """{"reason":"kembali"}"""),
        ("/closure-request/decline", typeof(DecideApprovalRequest), """{"reason":"masih aktif"}"""),
        ("/notes", typeof(AddNoteRequest), """{"text":"ditelepon"}"""),
        ("/enrolments", typeof(EnrolRequest), """{"offerId":"buku-batu-2026"}"""),
        ("/mentor", typeof(AssignMentorRequest), """{"mentorId":"pendamping"}"""),
        ("/mentoring-sessions", typeof(LogMentoringSessionRequest), """{"date":"2026-11-27","topic":"Kas"}"""),
        ("/enrolments/buku-batu-2026/attendance", typeof(CompleteTrainingRequest), """{"attendancePercent":90}"""),
        ("/enrolments/kur-bri-mikro/financing-decision", typeof(DecideFinancingRequest), """{"approved":false,"reason":"agunan"}"""),
        ("/assessment/correct", typeof(CorrectAssessmentRequest), """{"sector":"Kuliner","annualTurnoverIdr":1000000,"businessCapitalIdr":500000,"workers":2,"needs":["pasar"],"reason":"salah ketik"}"""),
        ("/enrolments/buku-batu-2026/attendance/correct", typeof(CorrectAttendanceRequest), """{"attendancePercent":90,"reason":"salah ketik"}"""),
        ("/mentoring-sessions/3/correct", typeof(CorrectMentoringSessionRequest), """{"date":"2026-11-27","topic":"Kas","reason":"salah tanggal"}"""),
        ("/outcomes", typeof(RecordOutcomesRequest), """{"annualTurnoverAfterIdr":1,"businessCapitalAfterIdr":1,"workersAfter":1}"""),
    ];

    private static readonly string Injection = "'; DROP TABLE case_events; -- <script>alert(1)</script> ${jndi:ldap://x} {{7*7}}";
    private static readonly string Unicode = "Ṣíti ‮Amínah‬ 👩🏽‍🌾 \u200b\ufeff ज़ 中文";

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (suffix, contract, _) in Commands)
        {
            foreach (var property in contract.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
                foreach (var (label, _) in ValuesFor(property.PropertyType))
                {
                    data.Add(suffix, name, label);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryFieldOfEveryCommand_WithABadValue_IsA4xxProblemAndChangesNothing_OrIsStoredVerbatim(string suffix, string field, string label)
    {
        var (_, contract, baseBody) = Commands.Single(c => c.Suffix == suffix);
        var property = contract.GetProperties().Single(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name) == field);
        var value = ValuesFor(property.PropertyType).Single(v => v.Label == label).Value;
        var body = JsonNode.Parse(baseBody)!.AsObject();
        body["commandId"] = Guid.NewGuid().ToString();
        body[field] = value?.DeepClone();
        var n = await fx.OpenCaseAsync();
        var before = await Snapshot(n);

        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await App.Client.PostAsync($"/api/cases/{n}{suffix}", content);
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;

        Assert.True(status < 500, $"{suffix}.{field}={label}: {status} {text}");
        if (status >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(text).RootElement.GetProperty("code").GetString()));
            Assert.Equal(before, await Snapshot(n));
        }
        else if (value is JsonValue v && v.TryGetValue<string>(out var stored) && label is "injection" or "unicode")
        {
            // Accepted free text is stored exactly as sent (trimmed), not interpreted.
            var last = (await App.GetOk($"/api/cases/{n}/timeline")).EnumerateArray().Last();
            var texts = last.GetProperty("payload").EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String)
                .Select(p => p.Value.GetString()).Append(last.GetProperty("commandId").GetString());
            Assert.Contains(stored.Trim(), texts);
        }
    }

    public static TheoryData<string, string> IntakeCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var property in typeof(IntakeRequest).GetProperties().Where(p => p.CanWrite))
        {
            foreach (var (label, _) in ValuesFor(property.PropertyType))
            {
                data.Add(JsonNamingPolicy.CamelCase.ConvertName(property.Name), label);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(IntakeCases))]
    public async Task EveryIntakeField_WithABadValue_IsA4xxProblemAndOpensNothing_OrIsStoredVerbatim(string field, string label)
    {
        var property = typeof(IntakeRequest).GetProperties().Single(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name) == field);
        var value = ValuesFor(property.PropertyType).Single(v => v.Label == label).Value;
        var body = new JsonObject
        {
            ["commandId"] = Guid.NewGuid().ToString(), ["nik"] = fx.NextNik(), ["fullName"] = "Warga Uji", ["regionCode"] = "35.79.02",
            ["segment"] = "Umkm", ["consentGiven"] = true,
        };
        body[field] = value?.DeepClone();
        var before = (await App.GetOk("/api/cases?pageSize=1")).GetProperty("total").GetInt64();

        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await App.Client.PostAsync("/api/cases", content);
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;

        Assert.True(status < 500, $"intake.{field}={label}: {status} {text}");
        if (status >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(before, (await App.GetOk("/api/cases?pageSize=1")).GetProperty("total").GetInt64());
            Assert.DoesNotContain(body["nik"]!.ToString(), text, StringComparison.Ordinal);
        }
        else if (field == "fullName" && value is JsonValue v && v.TryGetValue<string>(out var name))
        {
            var number = JsonDocument.Parse(text).RootElement.GetProperty("caseNumber").GetString();
            Assert.Equal(name.Trim(), (await App.GetOk($"/api/cases/{number}")).GetProperty("fullName").GetString());
        }
    }

    private static IEnumerable<(string Label, JsonNode? Value)> ValuesFor(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        yield return ("wrong-type-object", new JsonObject { ["x"] = 1 });
        yield return ("wrong-type-array", new JsonArray(1, 2));
        if (t == typeof(string))
        {
            yield return ("number", 12345);
            yield return ("oversized", new string('x', 20_000));
            yield return ("control", "a\u0001b");
            yield return ("blank", "   ");
            yield return ("injection", Injection);
            yield return ("unicode", Unicode);
        }
        else if (t == typeof(int) || t == typeof(long))
        {
            yield return ("string", "sepuluh");
            yield return ("fraction", 1.5);
            yield return ("huge", JsonNode.Parse("1e40"));
            yield return ("negative", -1);
            yield return ("max", t == typeof(int) ? int.MaxValue : long.MaxValue);
        }
        else if (t.IsEnum)
        {
            yield return ("unknown-name", "Whatever");
            yield return ("number", 1);
            yield return ("comma-list", "A,B");
            yield return ("injection", Injection);
        }
        else if (t == typeof(DateOnly))
        {
            yield return ("impossible", "2026-02-30");
            yield return ("far-future", "2999-01-01");
            yield return ("datetime", "2026-11-27T10:00:00Z");
            yield return ("number", 20261127);
        }
        else if (t == typeof(bool))
        {
            yield return ("string", "yes");
        }
        else if (typeof(System.Collections.IEnumerable).IsAssignableFrom(t))
        {
            yield return ("string", "pasar");
            yield return ("too-many", new JsonArray([.. Enumerable.Range(0, 50).Select(i => (JsonNode)JsonValue.Create($"n{i}"))]));
            yield return ("null-item", new JsonArray(null, "x"));
            yield return ("oversized-item", new JsonArray(new string('y', 5000)));
        }
    }

    private async Task<string> Snapshot(string caseNumber) =>
        (await App.GetOk($"/api/cases/{caseNumber}")).GetRawText() + (await App.GetOk($"/api/cases/{caseNumber}/timeline")).GetRawText();
}
