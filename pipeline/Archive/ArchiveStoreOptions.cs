namespace FunctionsObservability.Pipeline.Archive;

public enum ArchiveStoreKind
{
    /// <summary>A folder on the local disk: the embedded default, no cloud needed.</summary>
    Local,

    /// <summary>An Azure Blob Storage container (Azurite locally).</summary>
    Blob,
}

/// <summary>Where archived partitions go. Bound from the <c>Archive</c> configuration section.</summary>
public sealed class ArchiveStoreOptions
{
    public const string SectionName = "Archive";
    public const string DefaultLocalDirectory = "data/archive";
    public const string DefaultContainerName = "metrics-archive";
    public const int DefaultNetworkTimeoutSeconds = 30;
    public const int DefaultMaxRetries = 3;

    public ArchiveStoreKind Kind { get; set; } = ArchiveStoreKind.Local;

    /// <summary>Root folder of the local store; relative paths resolve against the working directory.</summary>
    public string LocalDirectory { get; set; } = DefaultLocalDirectory;

    /// <summary>Storage account connection string; used only when <see cref="Kind"/> is Blob.</summary>
    public string? ConnectionString { get; set; }

    public string ContainerName { get; set; } = DefaultContainerName;

    /// <summary>
    /// Longest wait for one network read or write; with <see cref="MaxRetries"/> it bounds how long an
    /// operation can hang when Blob Storage is down or slow.
    /// </summary>
    public int NetworkTimeoutSeconds { get; set; } = DefaultNetworkTimeoutSeconds;

    /// <summary>Retries after a failed attempt, with exponential back-off; 0 tries once.</summary>
    public int MaxRetries { get; set; } = DefaultMaxRetries;

    public void Validate()
    {
        OptionGuard.Positive(NetworkTimeoutSeconds, SectionName, nameof(NetworkTimeoutSeconds));
        if (MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, $"{SectionName}:{nameof(MaxRetries)} must not be negative.");
        }

        switch (Kind)
        {
            case ArchiveStoreKind.Local:
                if (string.IsNullOrWhiteSpace(LocalDirectory))
                {
                    throw new ArgumentException($"{SectionName}:{nameof(LocalDirectory)} must not be empty when {SectionName}:{nameof(Kind)} is Local.");
                }

                break;
            case ArchiveStoreKind.Blob:
                if (string.IsNullOrWhiteSpace(ConnectionString))
                {
                    throw new ArgumentException($"{SectionName}:{nameof(ConnectionString)} must be set when {SectionName}:{nameof(Kind)} is Blob.");
                }

                if (!IsValidContainerName(ContainerName))
                {
                    throw new ArgumentException(
                        $"{SectionName}:{nameof(ContainerName)} '{ContainerName}' is not a valid container name: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.");
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(Kind), Kind, $"{SectionName}:{nameof(Kind)} must be Local or Blob.");
        }
    }

    // Checked here rather than left to the service, whose 400 would only come on the first upload.
    private static bool IsValidContainerName(string? name)
    {
        if (name is null || name.Length is < 3 or > 63 || name[0] == '-' || name[^1] == '-' || name.Contains("--", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
