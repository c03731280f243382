using System.Text;

namespace FunctionsObservability.Pipeline.Model;

/// <summary>
/// A metric name plus its tag set. Tags are kept sorted by key (ordinal) so that two descriptors
/// for the same series always produce the same <see cref="CanonicalKey"/>.
/// </summary>
public sealed class SeriesDescriptor : IEquatable<SeriesDescriptor>
{
    private string? _canonicalKey;

    public SeriesDescriptor(string metric, KeyValuePair<string, string>[] sortedTags)
    {
        Metric = metric;
        Tags = sortedTags;
    }

    public string Metric { get; }

    /// <summary>Tags sorted by key, ordinal, with no duplicate keys.</summary>
    public KeyValuePair<string, string>[] Tags { get; }

    /// <summary>
    /// An unambiguous string identity: metric and tags joined with control characters that
    /// validation forbids inside names, keys and values.
    /// </summary>
    public string CanonicalKey => _canonicalKey ??= BuildCanonicalKey();

    /// <summary>Builds a descriptor from tags in any order; a repeated key keeps its last value.</summary>
    public static SeriesDescriptor Create(string metric, IEnumerable<KeyValuePair<string, string>> tags)
    {
        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            sorted[key] = value;
        }

        return new SeriesDescriptor(metric, [.. sorted]);
    }

    public bool Equals(SeriesDescriptor? other) => other is not null && CanonicalKey == other.CanonicalKey;

    public override bool Equals(object? obj) => obj is SeriesDescriptor other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(CanonicalKey);

    public override string ToString() => CanonicalKey.Replace('\u001f', ',').Replace('\u001e', '=');

    private string BuildCanonicalKey()
    {
        var builder = new StringBuilder(Metric.Length + (Tags.Length * 16));
        builder.Append(Metric);
        foreach (var (key, value) in Tags)
        {
            builder.Append('\u001f').Append(key).Append('\u001e').Append(value);
        }

        return builder.ToString();
    }
}
