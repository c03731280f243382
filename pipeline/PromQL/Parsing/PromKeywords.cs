namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// PromQL's keywords, matched case-insensitively outside braces as Prometheus does; aggregation
/// names are keywords too, and <c>inf</c>/<c>nan</c> are numbers.
/// </summary>
internal static class PromKeywords
{
    public static readonly Dictionary<string, PromTokenKind> Table = new(StringComparer.OrdinalIgnoreCase)
    {
        ["and"] = PromTokenKind.And,
        ["or"] = PromTokenKind.Or,
        ["unless"] = PromTokenKind.Unless,
        ["atan2"] = PromTokenKind.Atan2,
        ["by"] = PromTokenKind.By,
        ["without"] = PromTokenKind.Without,
        ["on"] = PromTokenKind.On,
        ["ignoring"] = PromTokenKind.Ignoring,
        ["group_left"] = PromTokenKind.GroupLeft,
        ["group_right"] = PromTokenKind.GroupRight,
        ["bool"] = PromTokenKind.Bool,
        ["offset"] = PromTokenKind.Offset,
        ["inf"] = PromTokenKind.Number,
        ["nan"] = PromTokenKind.Number,
        ["sum"] = PromTokenKind.Aggregator,
        ["avg"] = PromTokenKind.Aggregator,
        ["count"] = PromTokenKind.Aggregator,
        ["min"] = PromTokenKind.Aggregator,
        ["max"] = PromTokenKind.Aggregator,
        ["group"] = PromTokenKind.Aggregator,
        ["stddev"] = PromTokenKind.Aggregator,
        ["stdvar"] = PromTokenKind.Aggregator,
        ["topk"] = PromTokenKind.Aggregator,
        ["bottomk"] = PromTokenKind.Aggregator,
        ["count_values"] = PromTokenKind.Aggregator,
        ["quantile"] = PromTokenKind.Aggregator,
    };
}
