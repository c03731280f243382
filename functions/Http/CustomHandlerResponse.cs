namespace FunctionsObservability.Functions.Http;

/// <summary>
/// The custom-handler answer to a non-HTTP invocation: <c>{"Outputs":{...},"Logs":[...],"ReturnValue":null}</c>.
/// The host reads output bindings from <c>Outputs</c> by name and adds <c>Logs</c> to the invocation's log.
/// </summary>
internal static class CustomHandlerResponse
{
    public static Task WriteAsync(HttpContext context, int status, IReadOnlyList<string> logs, string? outputBinding = null, string? outputValue = null) =>
        JsonOutput.WriteAsync(context.Response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Outputs");
            if (outputBinding is not null && outputValue is not null)
            {
                writer.WriteString(outputBinding, outputValue);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("Logs");
            foreach (var line in logs)
            {
                writer.WriteStringValue(line);
            }

            writer.WriteEndArray();
            writer.WriteNull("ReturnValue");
            writer.WriteEndObject();
        }, status);
}
