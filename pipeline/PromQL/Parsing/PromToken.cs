namespace FunctionsObservability.Pipeline.PromQL;

internal enum PromTokenKind
{
    Eof,
    Identifier,
    MetricIdentifier,
    Number,
    Duration,
    String,
    LeftParen,
    RightParen,
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,
    Comma,
    Colon,
    At,
    Assign,
    // Operators.
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eql,
    Neq,
    Lss,
    Lte,
    Gtr,
    Gte,
    EqlRegex,
    NeqRegex,
    // Keywords (case-insensitive, as in Prometheus).
    And,
    Or,
    Unless,
    Atan2,
    Aggregator,
    By,
    Without,
    On,
    Ignoring,
    GroupLeft,
    GroupRight,
    Bool,
    Offset,
}

/// <summary>One lexed token: its kind, its text in the query and where it starts (a character offset).</summary>
internal readonly record struct PromToken(PromTokenKind Kind, string Text, int Position)
{
    public string Describe() => Kind switch
    {
        PromTokenKind.Eof => "end of input",
        PromTokenKind.Identifier or PromTokenKind.MetricIdentifier => $"identifier \"{Text}\"",
        PromTokenKind.Number => $"number \"{Text}\"",
        PromTokenKind.Duration => $"duration \"{Text}\"",
        PromTokenKind.String => $"string {Text}",
        PromTokenKind.Aggregator => $"aggregation \"{Text}\"",
        _ when Kind >= PromTokenKind.And => $"keyword \"{Text}\"",
        _ => $"\"{Text}\"",
    };
}
