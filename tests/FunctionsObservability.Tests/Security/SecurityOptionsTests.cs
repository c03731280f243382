using FunctionsObservability.Functions.Standalone.Security;
using Microsoft.Extensions.Configuration;

namespace FunctionsObservability.Tests.Security;

/// <summary>The documented defaults (README configuration table) and the checks at start-up.</summary>
public sealed class SecurityOptionsTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    [Fact]
    public void RateLimitOptions_Defaults_MatchTheReadme()
    {
        var options = new RateLimitOptions();
        options.Validate();
        Assert.Equal(50_000, options.Ingest.TokensPerSecond);
        Assert.Equal(100_000, options.Ingest.Burst);
        Assert.Equal(200, options.Query.TokensPerSecond);
        Assert.Equal(400, options.Query.Burst);
        Assert.True(options.Ingest.Enabled);
        Assert.True(options.Query.Enabled);
    }

    [Fact]
    public void RateLimitOptions_PartialSection_KeepsTheOtherDefaults()
    {
        var options = new RateLimitOptions();
        Configuration(("RateLimits:Ingest:Burst", "10"), ("RateLimits:Query:TokensPerSecond", "0.5"))
            .GetSection(RateLimitOptions.SectionName).Bind(options);

        Assert.Equal(10, options.Ingest.Burst);
        Assert.Equal(RateLimitOptions.DefaultIngestTokensPerSecond, options.Ingest.TokensPerSecond);
        Assert.Equal(0.5, options.Query.TokensPerSecond);
        Assert.Equal(RateLimitOptions.DefaultQueryBurst, options.Query.Burst);
    }

    [Fact]
    public void TokenBucketSettings_RateBelowOne_AddsOneTokenPerLongerPeriod()
    {
        var slow = new TokenBucketSettings { TokensPerSecond = 0.25, Burst = 1 };
        var fast = new TokenBucketSettings { TokensPerSecond = 2000, Burst = 1 };

        Assert.Equal((1, TimeSpan.FromSeconds(4)), (slow.TokensPerPeriod, slow.ReplenishmentPeriod));
        Assert.Equal((2000, TimeSpan.FromSeconds(1)), (fast.TokensPerPeriod, fast.ReplenishmentPeriod));
    }

    [Fact]
    public void RateLimitOptions_Validate_BadValues_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimitOptions { Ingest = new TokenBucketSettings { TokensPerSecond = 1, Burst = 0 } }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimitOptions { Query = new TokenBucketSettings { TokensPerSecond = -1, Burst = 1 } }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimitOptions { Query = new TokenBucketSettings { TokensPerSecond = double.NaN, Burst = 1 } }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimitOptions { Query = new TokenBucketSettings { TokensPerSecond = 0.0001, Burst = 1 } }.Validate());
        new RateLimitOptions { Query = new TokenBucketSettings { TokensPerSecond = 0, Burst = 1 } }.Validate();
    }

    [Fact]
    public void AuthOptions_Defaults_NoKeys()
    {
        var options = AuthOptions.FromConfiguration(Configuration());
        options.Validate();
        Assert.False(options.HasAnyKey);
        Assert.Empty(options.IngestKeys);
        Assert.Empty(options.QueryKeys);
        Assert.Empty(options.AdminKeys);
    }

    [Fact]
    public void AuthOptions_ArrayAndCommaSeparatedForms_GiveTheirUnionTrimmedWithoutRepeats()
    {
        var options = AuthOptions.FromConfiguration(Configuration(
            ("Auth:IngestKeys", " k1, k2 ,,"),
            ("Auth:IngestKeys:0", "k3"),
            ("Auth:IngestKeys:1", "k1"),
            ("Auth:QueryKeys:0", "q1,q2"),
            ("Auth:AdminKeys", "a1")));

        Assert.Equal(["k1", "k2", "k3"], options.IngestKeys);
        Assert.Equal(["q1", "q2"], options.QueryKeys);
        Assert.Equal(["a1"], options.AdminKeys);
        Assert.True(options.HasAnyKey);
    }

    [Fact]
    public void AuthOptions_Validate_KeyWithInnerSpaceOrTooLong_ThrowsWithoutEchoingTheKey()
    {
        var spaced = new AuthOptions { QueryKeys = ["secret part"] };
        var error = Assert.Throws<ArgumentException>(spaced.Validate);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
        Assert.Contains("Auth:QueryKeys[0]", error.Message, StringComparison.Ordinal);

        var tooLong = new AuthOptions { AdminKeys = [new string('k', AuthOptions.MaxKeyLength + 1)] };
        Assert.Throws<ArgumentOutOfRangeException>(tooLong.Validate);
    }

    [Fact]
    public void FunctionKeys_TryAuthorize_OpensOnlyTheKeysScopeAndAdminOpensAll()
    {
        var keys = new FunctionKeys(new AuthOptions { IngestKeys = ["i"], QueryKeys = ["q"], AdminKeys = ["a"] });

        Assert.True(keys.Enforced);
        Assert.True(keys.TryAuthorize("i", RouteAccess.Ingest, out var ingest));
        Assert.Equal("IngestKeys[0]", ingest);
        Assert.False(keys.TryAuthorize("i", RouteAccess.Query, out _));
        Assert.False(keys.TryAuthorize("i", RouteAccess.Admin, out _));
        Assert.True(keys.TryAuthorize("q", RouteAccess.Query, out _));
        Assert.False(keys.TryAuthorize("q", RouteAccess.Ingest, out _));
        Assert.True(keys.TryAuthorize("a", RouteAccess.Ingest, out var admin));
        Assert.Equal("AdminKeys[0]", admin);
        Assert.True(keys.TryAuthorize("a", RouteAccess.Query, out _));
        Assert.True(keys.TryAuthorize("a", RouteAccess.Admin, out _));
        Assert.False(keys.TryAuthorize("", RouteAccess.Ingest, out _));
        Assert.False(keys.TryAuthorize(null, RouteAccess.Ingest, out _));
        Assert.False(keys.TryAuthorize("I", RouteAccess.Ingest, out _));
        Assert.False(keys.TryAuthorize(new string('i', AuthOptions.MaxKeyLength + 1), RouteAccess.Ingest, out _));
        Assert.False(new FunctionKeys(new AuthOptions()).Enforced);
    }

    [Fact]
    public void RouteAccessRules_Classify_SortsTheRoutes()
    {
        Assert.Equal(RouteAccess.Public, RouteAccessRules.Classify("/api/health"));
        Assert.Equal(RouteAccess.Public, RouteAccessRules.Classify("/api/health/ready"));
        Assert.Equal(RouteAccess.Public, RouteAccessRules.Classify("/not-api"));
        Assert.Equal(RouteAccess.Public, RouteAccessRules.Classify("/"));
        Assert.Equal(RouteAccess.Public, RouteAccessRules.Classify("/apix/ingest"));
        Assert.Equal(RouteAccess.Ingest, RouteAccessRules.Classify("/api/ingest"));
        Assert.Equal(RouteAccess.Ingest, RouteAccessRules.Classify("/API/V2/Write"));
        Assert.Equal(RouteAccess.Ingest, RouteAccessRules.Classify("/v1/metrics"));
        Assert.Equal(RouteAccess.Ingest, RouteAccessRules.Classify("/api/v1/metrics"));
        Assert.Equal(RouteAccess.Public, RouteAccessRules.Classify("/v1/metricsx"));
        Assert.Equal(RouteAccess.Query, RouteAccessRules.Classify("/api/query/points"));
        Assert.Equal(RouteAccess.Query, RouteAccessRules.Classify("/api/metrics"));
        Assert.Equal(RouteAccess.Query, RouteAccessRules.Classify("/api/metrics/cpu/tags"));
        Assert.Equal(RouteAccess.Admin, RouteAccessRules.Classify("/api/admin/compact"));
        Assert.Equal(RouteAccess.Admin, RouteAccessRules.Classify("/api/healthz"));
        Assert.Equal(RouteAccess.Admin, RouteAccessRules.Classify("/api"));
        Assert.Equal(RouteAccess.Admin, RouteAccessRules.Classify("/api/v2/query"));
    }
}
