using System.Text.RegularExpressions;

namespace FunctionsObservability.Pipeline.PromQL;

public enum MatchType
{
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

/// <summary>
/// One label matcher of a selector. As in Prometheus, a regex is anchored at both ends, and a
/// label a series lacks counts as the empty string, so <c>{a=""}</c> selects series without <c>a</c>.
/// </summary>
public sealed class LabelMatcher
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);
    private readonly Regex? _regex;

    public LabelMatcher(string name, MatchType type, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        Name = name;
        Type = type;
        Value = value;
        if (type is MatchType.Regex or MatchType.NotRegex)
        {
            try
            {
                _regex = new Regex($"^(?:{value})$", RegexOptions.CultureInvariant | RegexOptions.Singleline, RegexTimeout);
            }
            catch (ArgumentException exception)
            {
                throw new PromQueryException(PromErrorType.BadData, $"invalid regular expression \"{value}\" for label {name}: {exception.Message}");
            }
        }
    }

    public string Name { get; }

    public MatchType Type { get; }

    public string Value { get; }

    /// <summary>Whether the matcher accepts <paramref name="value"/>; pass "" for a missing label.</summary>
    public bool Matches(string value) => Type switch
    {
        MatchType.Equal => string.Equals(value, Value, StringComparison.Ordinal),
        MatchType.NotEqual => !string.Equals(value, Value, StringComparison.Ordinal),
        MatchType.Regex => RegexMatches(value),
        _ => !RegexMatches(value),
    };

    /// <summary>
    /// .NET's backtracking engine, unlike Prometheus's RE2, can take exponential time on patterns
    /// such as <c>(a+)+$</c>; each match is cut off after a second and the query fails with execution.
    /// </summary>
    private bool RegexMatches(string value)
    {
        try
        {
            return _regex!.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            throw new PromQueryException(PromErrorType.Execution,
                $"matching the regular expression \"{Value}\" of label {Name} took longer than {RegexTimeout.TotalSeconds:0} s; simplify it");
        }
    }

    /// <summary>Whether the matcher accepts the empty string, i.e. series that lack the label.</summary>
    public bool MatchesEmpty => Matches(string.Empty);

    public override string ToString()
    {
        var op = Type switch
        {
            MatchType.Equal => "=",
            MatchType.NotEqual => "!=",
            MatchType.Regex => "=~",
            _ => "!~",
        };
        return $"{Name}{op}\"{Value}\"";
    }
}
