using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf;
using RpcStatus = FunctionsObservability.Pipeline.Formats.Otlp.Status;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>
/// The error bodies each family of routes answers with: the product's <c>{"error": string}</c>; InfluxDB's
/// <c>{"code": string, "message": string}</c> on /api/v2; Prometheus's <c>{"status":"error","errorType":…,"error":…}</c>
/// on the Prometheus API (400 bad_data, 422 execution, 503 timeout or unavailable); and on OTLP/HTTP a
/// <c>google.rpc.Status</c> in protobuf for a protobuf request.
/// </summary>
internal static partial class FuzzErrorShape
{
    public static bool Matches(string target, FuzzAnswer answer)
    {
        var path = target.Split('?', 2)[0];
        if (IsOtlp(path) && answer.MediaType == "application/x-protobuf")
        {
            try
            {
                return RpcStatus.Parser.ParseFrom(answer.Bytes) is { Code: > 0, Message.Length: > 0 };
            }
            catch (InvalidProtocolBufferException)
            {
                return false;
            }
        }

        try
        {
            using var document = JsonDocument.Parse(answer.Body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var plain = IsString(root, "error");
            var influx = IsString(root, "code") && IsString(root, "message");
            var surelyInflux = (path.StartsWith("/api/v2/", StringComparison.OrdinalIgnoreCase) || path.Equals("/api/v2", StringComparison.OrdinalIgnoreCase))
                && !QueryFuzzGenerator.NeedsRawSocket(path) && !path.Contains("//", StringComparison.Ordinal) && !path.Contains('%', StringComparison.Ordinal);
            var maybeInflux = path.Contains("v2", StringComparison.OrdinalIgnoreCase) || path.Contains("%76", StringComparison.OrdinalIgnoreCase);
            return surelyInflux ? influx : plain || (maybeInflux && influx);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// On a Prometheus API route, a 400, 422 or 503 with a body must be Prometheus's error with the
    /// errorType its status stands for; null when it is, or the route or status is another's.
    /// </summary>
    public static string? PromMismatch(string target, FuzzAnswer answer)
    {
        if (!IsPromApi(target.Split('?', 2)[0]) || answer.Status is not (400 or 422 or 503) || answer.Body.Length == 0)
        {
            return null;
        }

        var expected = answer.Status switch { 400 => "bad_data", 422 => "execution", _ => "timeout or unavailable" };
        var type = PromErrorType(answer.Body);
        var fits = answer.Status switch
        {
            400 => type == "bad_data",
            422 => type == "execution",
            _ => type is "timeout" or "unavailable",
        };
        return fits ? null : $"HTTP {answer.Status} on the Prometheus API is not {{\"status\":\"error\"}} with errorType {expected} (errorType {type ?? "absent"})";
    }

    /// <summary>Prometheus answers a query timeout 503 without Retry-After: the client should not just try again.</summary>
    public static bool IsPromTimeout(string target, FuzzAnswer answer) =>
        IsPromApi(target.Split('?', 2)[0]) && answer.Status == 503 && PromErrorType(answer.Body) == "timeout";

    private static string? PromErrorType(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out var status) && status.ValueEquals("error")
                && IsString(root, "error") && IsString(root, "errorType") ? root.GetProperty("errorType").GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String;

    private static bool IsOtlp(string path) =>
        path.Equals("/v1/metrics", StringComparison.OrdinalIgnoreCase) || path.Equals("/api/v1/metrics", StringComparison.OrdinalIgnoreCase);

    private static bool IsPromApi(string path) => PromApiPath().IsMatch(path) && !QueryFuzzGenerator.NeedsRawSocket(path);

    [GeneratedRegex(@"^/api/v1/(query|query_range|series|labels|metadata|status/buildinfo|label/(?!\.{1,2}/)[^/]+/values)$", RegexOptions.IgnoreCase)]
    private static partial Regex PromApiPath();
}
