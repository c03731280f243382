using System.Text.Json;
using FunctionsObservability.Tests.WorkerProtocol.Rpc;

namespace FunctionsObservability.Tests.WorkerProtocol;

/// <summary>One binding of a function, read from the raw JSON the worker reported for it.</summary>
public sealed class FunctionBinding
{
    private readonly JsonElement _json;

    private FunctionBinding(JsonElement json, string raw)
    {
        _json = json;
        Raw = raw;
    }

    public string Raw { get; }

    public string Name => Text("name") ?? string.Empty;

    public string Type => Text("type") ?? string.Empty;

    public string Direction => Text("direction") ?? string.Empty;

    public bool IsTrigger => Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase);

    public static FunctionBinding Parse(string raw)
    {
        using var document = JsonDocument.Parse(raw);
        return new FunctionBinding(document.RootElement.Clone(), raw);
    }

    /// <summary>A property's value as text (names compared without case, as the host does).</summary>
    public string? Text(string property) => Find(property) switch
    {
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
        var value => value.GetRawText(),
    };

    /// <summary>A property holding a list of strings, such as an HTTP trigger's methods.</summary>
    public IReadOnlyList<string> Texts(string property) => Find(property) switch
    {
        { ValueKind: JsonValueKind.Array } array => array.EnumerateArray().Select(item => item.ToString()).ToList(),
        { ValueKind: JsonValueKind.String } value => [value.GetString()!],
        _ => [],
    };

    public override string ToString() => Raw;

    private JsonElement Find(string property)
    {
        if (_json.ValueKind == JsonValueKind.Object)
        {
            foreach (var candidate in _json.EnumerateObject())
            {
                if (string.Equals(candidate.Name, property, StringComparison.OrdinalIgnoreCase))
                {
                    return candidate.Value;
                }
            }
        }

        return default;
    }
}

/// <summary>A function as the worker indexed it and the host loaded it.</summary>
public sealed class LoadedFunction
{
    public LoadedFunction(string functionId, RpcFunctionMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        FunctionId = functionId;
        Metadata = metadata;
        Bindings = metadata.RawBindings.Select(FunctionBinding.Parse).ToList();
    }

    public string Name => Metadata.Name;

    /// <summary>The id the host gave the function when it loaded it; invocations name it.</summary>
    public string FunctionId { get; }

    public RpcFunctionMetadata Metadata { get; }

    public IReadOnlyList<FunctionBinding> Bindings { get; }

    public FunctionBinding Trigger =>
        Bindings.SingleOrDefault(binding => binding.IsTrigger && string.Equals(binding.Direction, "in", StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidOperationException($"{Name} has no trigger binding: {string.Join(", ", Bindings)}");

    public FunctionBinding? Binding(string name) =>
        Bindings.SingleOrDefault(binding => string.Equals(binding.Name, name, StringComparison.Ordinal));

    public override string ToString() => $"{Name}: {string.Join(", ", Bindings)}";
}
