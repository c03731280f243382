namespace FunctionsObservability.Pipeline.Storage;

/// <summary>SQL text built from values: names, tags and file paths inlined as string literals.</summary>
internal static class SqlText
{
    /// <summary>
    /// A standard SQL string literal, quotes included. DuckDB gives backslashes no meaning inside
    /// one, so doubling the quote is the whole of the escaping.
    /// </summary>
    public static string Literal(string text) => string.Concat("'", text.Replace("'", "''", StringComparison.Ordinal), "'");
}
