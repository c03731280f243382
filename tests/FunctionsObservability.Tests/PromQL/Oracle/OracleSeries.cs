using FunctionsObservability.Pipeline.PromQL;

namespace FunctionsObservability.Tests.PromQL.Oracle;

/// <summary>One generated series: labels (with <c>__name__</c>) and its samples in time order, ms timestamps on whole seconds.</summary>
public sealed record OracleSeries(PromLabels Labels, long[] TimestampsMs, double[] Values);
