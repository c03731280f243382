using System.Globalization;

namespace FunctionsObservability.Bench;

/// <summary>Parses <c>--name value</c> pairs; every option has a default, and unknown options are an error.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public Options(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new UsageException($"expected '--name value', got '{arg}'");
            }

            _values[arg[2..]] = args[++i];
        }
    }

    public string String(string name, string? fallback = null)
    {
        _used.Add(name);
        if (_values.TryGetValue(name, out var value))
        {
            return value;
        }

        return fallback ?? throw new UsageException($"--{name} is required");
    }

    public string? OptionalString(string name)
    {
        _used.Add(name);
        return _values.GetValueOrDefault(name);
    }

    public long Long(string name, long fallback)
    {
        var text = OptionalString(name);
        if (text is null)
        {
            return fallback;
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"--{name}: '{text}' is not an integer");
    }

    public int Int(string name, int fallback) => checked((int)Long(name, fallback));

    public double Double(string name, double fallback)
    {
        var text = OptionalString(name);
        if (text is null)
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"--{name}: '{text}' is not a number");
    }

    /// <summary>Call after reading every option, so a misspelt option fails loudly instead of being ignored.</summary>
    public void EnsureAllUsed()
    {
        foreach (var name in _values.Keys)
        {
            if (!_used.Contains(name))
            {
                throw new UsageException($"unknown option --{name}");
            }
        }
    }
}

internal sealed class UsageException(string message) : Exception(message);
