namespace FunctionsObservability.Functions.Standalone.Security;

/// <summary>
/// Function keys, by what they open. Bound from the <c>Auth</c> configuration section. Each list
/// may be given as a configuration array (<c>Auth:IngestKeys:0=k1</c>, a JSON array in
/// appsettings.json) or as one comma-separated string (<c>Auth__IngestKeys=k1,k2</c>); both forms
/// together give their union. With no key at all the app is open and listens on loopback only.
/// </summary>
internal sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>Longest key accepted, in characters; longer presented keys are refused unread.</summary>
    public const int MaxKeyLength = 512;

    /// <summary>Keys for <c>POST /api/ingest</c> and <c>POST /api/v2/write</c>.</summary>
    public IReadOnlyList<string> IngestKeys { get; init; } = [];

    /// <summary>Keys for <c>GET /api/query/*</c> and <c>GET /api/metrics*</c>.</summary>
    public IReadOnlyList<string> QueryKeys { get; init; } = [];

    /// <summary>Keys accepted on every keyed route, and the only ones for <c>/api/admin/*</c>.</summary>
    public IReadOnlyList<string> AdminKeys { get; init; } = [];

    /// <summary>Keys for the Prometheus scrape endpoint <c>GET /metrics</c> only, sent as <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    public IReadOnlyList<string> MetricsKeys { get; init; } = [];

    public bool HasAnyKey => IngestKeys.Count > 0 || QueryKeys.Count > 0 || AdminKeys.Count > 0 || MetricsKeys.Count > 0;

    public static AuthOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        return new AuthOptions
        {
            IngestKeys = ReadKeys(section.GetSection(nameof(IngestKeys))),
            QueryKeys = ReadKeys(section.GetSection(nameof(QueryKeys))),
            AdminKeys = ReadKeys(section.GetSection(nameof(AdminKeys))),
            MetricsKeys = ReadKeys(section.GetSection(nameof(MetricsKeys))),
        };
    }

    public void Validate()
    {
        Check(IngestKeys, nameof(IngestKeys));
        Check(QueryKeys, nameof(QueryKeys));
        Check(AdminKeys, nameof(AdminKeys));
        Check(MetricsKeys, nameof(MetricsKeys));
    }

    /// <summary>The section's own value and each child's, split on commas, trimmed, without blanks or repeats.</summary>
    private static string[] ReadKeys(IConfigurationSection section)
    {
        var keys = new List<string>();
        Add(section.Value);
        foreach (var child in section.GetChildren())
        {
            Add(child.Value);
        }

        return [.. keys.Distinct(StringComparer.Ordinal)];

        void Add(string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                keys.AddRange(value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            }
        }
    }

    private static void Check(IReadOnlyList<string> keys, string name)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            if (key.Length > MaxKeyLength)
            {
                throw new ArgumentOutOfRangeException(name, $"{SectionName}:{name}[{i}] is longer than {MaxKeyLength} characters.");
            }

            // Never echo the key itself: the message ends up in logs.
            if (key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                throw new ArgumentException($"{SectionName}:{name}[{i}] contains whitespace or control characters; a key must be one token.", name);
            }
        }
    }
}
