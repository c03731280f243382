namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// How stored names appear to PromQL. Names that are already valid Prometheus names pass
/// unchanged, so <c>cpu_usage_user</c> and its tags read as written. Otherwise every character
/// outside the allowed set becomes <c>_</c>, and a name that starts with a digit gets a leading
/// <c>_</c>: the same rule Prometheus applies when it translates OTLP names.
/// </summary>
public static class PromNames
{
    /// <summary>A metric name: <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>.</summary>
    public static string Metric(string name) => Sanitize(name, allowColon: true);

    /// <summary>A label name: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    public static string Label(string name) => Sanitize(name, allowColon: false);

    public static bool IsValidLabel(string name) => name.Length > 0 && ReferenceEquals(Label(name), name);

    private static string Sanitize(string name, bool allowColon)
    {
        if (IsValid(name, allowColon))
        {
            return name;
        }

        var prefix = name.Length == 0 || char.IsAsciiDigit(name[0]) ? "_" : string.Empty;
        return string.Create(prefix.Length + name.Length, (name, prefix, allowColon), static (span, state) =>
        {
            state.prefix.AsSpan().CopyTo(span);
            var offset = state.prefix.Length;
            for (var i = 0; i < state.name.Length; i++)
            {
                var c = state.name[i];
                span[offset + i] = IsNameChar(c, state.allowColon) ? c : '_';
            }
        });
    }

    private static bool IsValid(string name, bool allowColon)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!IsNameChar(c, allowColon))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsNameChar(char c, bool allowColon) =>
        char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
}
