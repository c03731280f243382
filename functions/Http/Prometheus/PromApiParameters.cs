using System.Globalization;
using FunctionsObservability.Pipeline.PromQL;
using Microsoft.Extensions.Primitives;

namespace FunctionsObservability.Functions.Http.Prometheus;

/// <summary>
/// The Prometheus API's parameters, read as Prometheus reads them: from the query string and, for
/// a form POST, the body (the body's value wins), with its time and duration forms and its messages.
/// </summary>
internal sealed class PromApiParameters
{
    /// <summary>Prometheus's "minimum" and "maximum" times, which clients send for open ranges.</summary>
    public const long MinTimeMs = -9_223_309_901_257_974L;

    public const long MaxTimeMs = 9_223_309_901_257_974L;

    private readonly IQueryCollection _query;
    private readonly IFormCollection? _form;

    private PromApiParameters(IQueryCollection query, IFormCollection? form)
    {
        _query = query;
        _form = form;
    }

    public static async Task<PromApiParameters> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        IFormCollection? form = null;
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            try
            {
                form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is InvalidDataException or IOException && !cancellationToken.IsCancellationRequested)
            {
                // A body that does not match its Content-Type (a multipart type without parts, say).
                throw new PromQueryException(PromErrorType.BadData, $"error parsing form values: {exception.Message}");
            }
        }

        return new PromApiParameters(request.Query, form);
    }

    public string? Get(string name)
    {
        if (_form is not null && _form.TryGetValue(name, out var posted) && posted.Count > 0)
        {
            return posted[0];
        }

        return _query.TryGetValue(name, out var value) && value.Count > 0 ? value[0] : null;
    }

    /// <summary>Every value of a repeated parameter such as <c>match[]</c>, from the body and the query string.</summary>
    public IReadOnlyList<string> GetAll(string name)
    {
        var values = new List<string>();
        if (_form is not null && _form.TryGetValue(name, out var posted))
        {
            Add(values, posted);
        }

        if (_query.TryGetValue(name, out var queried))
        {
            Add(values, queried);
        }

        return values;
    }

    public string Require(string name) =>
        Get(name) is { Length: > 0 } value
            ? value
            : throw new PromQueryException(PromErrorType.BadData, $"invalid parameter \"{name}\": parameter is missing");

    /// <summary>A time in Unix milliseconds, or <paramref name="fallback"/> when absent.</summary>
    public long Time(string name, long fallback) => Get(name) is { Length: > 0 } text ? ParseTime(name, text) : fallback;

    /// <summary>A duration in milliseconds, or null when absent.</summary>
    public long? Duration(string name) => Get(name) is { Length: > 0 } text ? ParseDuration(name, text) : null;

    /// <summary>Unix seconds with a fraction (rounded to the millisecond, as Prometheus does) or RFC 3339.</summary>
    public static long ParseTime(string name, string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
        {
            var whole = Math.Truncate(seconds);
            var fraction = Math.Round((seconds - whole) * 1000) / 1000;
            if (Math.Abs(whole) < 9.2e15)
            {
                return (long)whole * 1000 + (long)Math.Round(fraction * 1000);
            }
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            && text.Contains('T', StringComparison.Ordinal))
        {
            return parsed.ToUnixTimeMilliseconds();
        }

        if (text == "-292273086-05-16T16:47:06Z")
        {
            return MinTimeMs;
        }

        if (text == "292277025-08-18T07:12:54.999999999Z")
        {
            return MaxTimeMs;
        }

        throw new PromQueryException(PromErrorType.BadData, $"invalid parameter \"{name}\": cannot parse \"{text}\" to a valid timestamp");
    }

    /// <summary>Seconds with a fraction, or a Prometheus duration such as <c>1m30s</c>.</summary>
    public static long ParseDuration(string name, string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            if (!double.IsFinite(seconds) || Math.Abs(seconds * 1000) >= long.MaxValue)
            {
                throw new PromQueryException(PromErrorType.BadData, $"invalid parameter \"{name}\": cannot parse \"{text}\" to a valid duration. It overflows int64");
            }

            return (long)Math.Round(seconds * 1000);
        }

        return PromDuration.TryParseMilliseconds(text, out var milliseconds)
            ? milliseconds
            : throw new PromQueryException(PromErrorType.BadData, $"invalid parameter \"{name}\": cannot parse \"{text}\" to a valid duration");
    }

    private static void Add(List<string> values, StringValues source)
    {
        foreach (var value in source)
        {
            if (value is not null)
            {
                values.Add(value);
            }
        }
    }
}
