namespace FunctionsObservability.Pipeline.PromQL;

/// <summary><c>sum by (a) (x)</c>, <c>sum(x) without (a)</c>, <c>topk(3, x)</c>: the grouping may come before or after the arguments.</summary>
internal static class PromAggregationParser
{
    public static PromExpr Parse(PromExprParser parser, PromToken name)
    {
        var op = name.Text.ToLowerInvariant() switch
        {
            "sum" => AggregationOp.Sum,
            "avg" => AggregationOp.Avg,
            "count" => AggregationOp.Count,
            "min" => AggregationOp.Min,
            "max" => AggregationOp.Max,
            "topk" => AggregationOp.TopK,
            "bottomk" => AggregationOp.BottomK,
            var other => throw PromParser.Error(name.Position, $"unsupported aggregation \"{other}\""),
        };
        parser.Expect(PromTokenKind.Aggregator, "aggregation");
        List<string>? grouping = null;
        var without = false;
        if (parser.Peek().Kind is PromTokenKind.By or PromTokenKind.Without)
        {
            without = parser.Peek().Kind == PromTokenKind.Without;
            parser.Accept(parser.Peek().Kind);
            grouping = parser.ParseLabelList();
        }

        var open = parser.Expect(PromTokenKind.LeftParen, "\"(\"");
        var args = parser.ParseArguments();
        var wantsParameter = op is AggregationOp.TopK or AggregationOp.BottomK;
        var expected = wantsParameter ? 2 : 1;
        if (args.Count != expected)
        {
            throw PromParser.Error(open.Position, $"wrong number of arguments for aggregate expression provided, expected {expected}, got {args.Count}");
        }

        if (grouping is null && parser.Peek().Kind is PromTokenKind.By or PromTokenKind.Without)
        {
            without = parser.Peek().Kind == PromTokenKind.Without;
            parser.Accept(parser.Peek().Kind);
            grouping = parser.ParseLabelList();
        }

        var argument = args[^1];
        if (argument.Type != PromValueType.Vector)
        {
            throw PromParser.Error(argument.Position,
                $"expected type instant vector in aggregation expression, got {PromExprParser.TypeName(argument.Type)}");
        }

        var parameter = wantsParameter ? args[0] : null;
        if (parameter is not null && parameter.Type != PromValueType.Scalar)
        {
            throw PromParser.Error(parameter.Position,
                $"expected type scalar in aggregation parameter, got {PromExprParser.TypeName(parameter.Type)}");
        }

        return new AggregateExpr(name.Position, op, parameter, argument, grouping ?? [], without);
    }
}
