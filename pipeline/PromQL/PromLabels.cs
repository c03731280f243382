namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// An immutable label set sorted by name, as Prometheus orders labels in its answers. The metric
/// name is the label <c>__name__</c>. Equality and hashing are by content, so label sets can key
/// dictionaries when series are grouped or matched.
/// </summary>
public sealed class PromLabels : IEquatable<PromLabels>
{
    public const string MetricName = "__name__";

    private readonly KeyValuePair<string, string>[] _labels;
    private int _hash;

    private PromLabels(KeyValuePair<string, string>[] sorted) => _labels = sorted;

    public static PromLabels Empty { get; } = new([]);

    public int Count => _labels.Length;

    public KeyValuePair<string, string> this[int index] => _labels[index];

    /// <summary>Labels from any order; empty values are dropped, since Prometheus treats them as absent.</summary>
    public static PromLabels From(IEnumerable<KeyValuePair<string, string>> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var array = labels.Where(l => l.Value.Length > 0).ToArray();
        Array.Sort(array, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        for (var i = 1; i < array.Length; i++)
        {
            if (string.Equals(array[i - 1].Key, array[i].Key, StringComparison.Ordinal))
            {
                throw new ArgumentException($"label {array[i].Key} appears twice", nameof(labels));
            }
        }

        return new PromLabels(array);
    }

    /// <summary>The value of <paramref name="name"/>, or "" when the label is absent.</summary>
    public string Get(string name)
    {
        var index = IndexOf(name);
        return index >= 0 ? _labels[index].Value : string.Empty;
    }

    public bool Has(string name) => IndexOf(name) >= 0;

    public string Name => Get(MetricName);

    /// <summary>The labels without <c>__name__</c>, as functions and arithmetic return them.</summary>
    public PromLabels WithoutName() => Without([MetricName]);

    /// <summary>Only the labels named (<c>by</c>, <c>on</c>).</summary>
    public PromLabels Keep(IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return Filter(l => names.Contains(l.Key));
    }

    /// <summary>All labels except those named (<c>without</c>, <c>ignoring</c>).</summary>
    public PromLabels Without(IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return Filter(l => !names.Contains(l.Key));
    }

    /// <summary>A copy with <paramref name="name"/> set to <paramref name="value"/>, or removed when the value is "".</summary>
    public PromLabels With(string name, string value)
    {
        var list = _labels.Where(l => !string.Equals(l.Key, name, StringComparison.Ordinal)).ToList();
        if (value.Length > 0)
        {
            list.Add(new KeyValuePair<string, string>(name, value));
        }

        return From(list);
    }

    public IEnumerable<KeyValuePair<string, string>> AsEnumerable() => _labels;

    /// <summary>Prometheus's order of label sets: label by label, name then value, ordinal; a prefix sorts first.</summary>
    public static int Compare(PromLabels a, PromLabels b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var n = Math.Min(a._labels.Length, b._labels.Length);
        for (var i = 0; i < n; i++)
        {
            var c = string.CompareOrdinal(a._labels[i].Key, b._labels[i].Key);
            if (c != 0)
            {
                return c;
            }

            c = string.CompareOrdinal(a._labels[i].Value, b._labels[i].Value);
            if (c != 0)
            {
                return c;
            }
        }

        return a._labels.Length.CompareTo(b._labels.Length);
    }

    public bool Equals(PromLabels? other)
    {
        if (other is null || other._labels.Length != _labels.Length)
        {
            return false;
        }

        for (var i = 0; i < _labels.Length; i++)
        {
            if (!string.Equals(_labels[i].Key, other._labels[i].Key, StringComparison.Ordinal)
                || !string.Equals(_labels[i].Value, other._labels[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as PromLabels);

    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            var hash = new HashCode();
            foreach (var (key, value) in _labels)
            {
                hash.Add(key, StringComparer.Ordinal);
                hash.Add(value, StringComparer.Ordinal);
            }

            _hash = hash.ToHashCode() | 1;
        }

        return _hash;
    }

    /// <summary>Prometheus's text form: <c>name{a="1", b="2"}</c>.</summary>
    public override string ToString()
    {
        var name = Name;
        var rest = _labels.Where(l => l.Key != MetricName).Select(l => $"{l.Key}=\"{l.Value}\"");
        return $"{name}{{{string.Join(", ", rest)}}}";
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < _labels.Length; i++)
        {
            if (string.Equals(_labels[i].Key, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private PromLabels Filter(Func<KeyValuePair<string, string>, bool> keep)
    {
        var kept = _labels.Where(keep).ToArray();
        return kept.Length == _labels.Length ? this : new PromLabels(kept);
    }
}
