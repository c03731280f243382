using System.Globalization;
using System.Text;

namespace FunctionsObservability.Pipeline.Query;

/// <summary>
/// The cache key of an aggregate: every parsed part of the request that shapes the answer, with
/// the range already resolved to absolute microseconds (a missing <c>to</c> is resolved from the
/// clock before the key is made, so an answer for "until now" is never served for a later now).
/// Tag filters keep the order they were given in, because the answer echoes them in that order.
/// Text parts are length-prefixed, so no metric, tag or group name can make two requests collide.
/// </summary>
internal static class AggregateAnswerKey
{
    public static string For(AggregateRequest request)
    {
        var culture = CultureInfo.InvariantCulture;
        var key = new StringBuilder(64 + request.Filter.Metric.Length);
        Append(key, request.Filter.Metric);
        key.Append(culture, $"{request.Filter.Tags.Count}:");
        foreach (var (name, value) in request.Filter.Tags)
        {
            Append(key, name);
            Append(key, value);
        }

        key.Append(culture, $"{request.Range.FromMicros}/{request.Range.ToMicros}/{request.StepMicros}/{(int)request.Function}/");
        if (request.GroupBy is { } groupBy)
        {
            Append(key, groupBy);
        }
        else
        {
            key.Append('-');
        }

        return key.ToString();
    }

    private static void Append(StringBuilder key, string text) =>
        key.Append(CultureInfo.InvariantCulture, $"{text.Length}:").Append(text);
}
