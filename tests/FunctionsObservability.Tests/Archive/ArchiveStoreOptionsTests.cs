using FunctionsObservability.Pipeline.Archive;

namespace FunctionsObservability.Tests.Archive;

public sealed class ArchiveStoreOptionsTests
{
    [Fact]
    public void Defaults_AreTheEmbeddedLocalStore()
    {
        var options = new ArchiveStoreOptions();

        options.Validate();
        Assert.Equal(ArchiveStoreKind.Local, options.Kind);
        Assert.Equal("data/archive", options.LocalDirectory);
        Assert.Equal("metrics-archive", options.ContainerName);
        Assert.Equal(30, options.NetworkTimeoutSeconds);
        Assert.Equal(3, options.MaxRetries);
    }

    [Theory]
    [InlineData(ArchiveStoreKind.Blob, null, "metrics-archive", 30, 3)]
    [InlineData(ArchiveStoreKind.Blob, "UseDevelopmentStorage=true", "Metrics", 30, 3)]
    [InlineData(ArchiveStoreKind.Blob, "UseDevelopmentStorage=true", "ab", 30, 3)]
    [InlineData(ArchiveStoreKind.Blob, "UseDevelopmentStorage=true", "a--b", 30, 3)]
    [InlineData(ArchiveStoreKind.Blob, "UseDevelopmentStorage=true", "metrics-archive", 0, 3)]
    [InlineData(ArchiveStoreKind.Blob, "UseDevelopmentStorage=true", "metrics-archive", 30, -1)]
    public void Validate_BadBlobSettings_Throws(ArchiveStoreKind kind, string? connectionString, string container, int timeout, int retries)
    {
        var options = new ArchiveStoreOptions
        {
            Kind = kind,
            ConnectionString = connectionString,
            ContainerName = container,
            NetworkTimeoutSeconds = timeout,
            MaxRetries = retries,
        };

        Assert.ThrowsAny<ArgumentException>(options.Validate);
    }

    [Fact]
    public void Validate_EmptyLocalDirectory_Throws()
    {
        Assert.Throws<ArgumentException>(new ArchiveStoreOptions { LocalDirectory = " " }.Validate);
    }
}
