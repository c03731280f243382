using System.Net;
using FunctionsObservability.Functions.Standalone.Security;
using FunctionsObservability.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsObservability.Tests.Security;

/// <summary>With no key configured the standalone app never listens beyond loopback.</summary>
public sealed class LoopbackBindingTests
{
    [Theory]
    [InlineData("http://0.0.0.0:8080", "http://127.0.0.1:8080")]
    [InlineData("http://*:5000", "http://127.0.0.1:5000")]
    [InlineData("http://+:5000", "http://127.0.0.1:5000")]
    [InlineData("http://[::]:5000", "http://127.0.0.1:5000")]
    [InlineData("http://10.1.2.3:7071", "http://127.0.0.1:7071")]
    [InlineData("http://metrics.example.com", "http://127.0.0.1:80")]
    [InlineData("https://*:8443", "https://127.0.0.1:8443")]
    [InlineData("http://localhost:5000;http://0.0.0.0:5001", "http://localhost:5000;http://127.0.0.1:5001")]
    [InlineData("http://0.0.0.0:5000;http://[::]:5000", "http://127.0.0.1:5000")]
    public void ToLoopback_NonLoopbackUrls_RewritesToLoopbackWithTheSamePort(string urls, string expected) =>
        Assert.Equal(expected, LoopbackBinding.ToLoopback(urls));

    [Theory]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("http://localhost:5000")]
    [InlineData("http://LOCALHOST:5000")]
    [InlineData("http://[::1]:5000")]
    [InlineData("http://127.0.0.2:5000")]
    [InlineData("http://127.0.0.1:1;http://localhost:2")]
    [InlineData("http://unix:/tmp/metrics.sock")]
    [InlineData("")]
    public void ToLoopback_LoopbackUrls_LeavesThemAlone(string urls) =>
        Assert.Null(LoopbackBinding.ToLoopback(urls));

    [Fact]
    public void RestrictWhenNoKeys_KeyConfigured_KeepsTheConfiguredUrls()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--urls=http://0.0.0.0:5000", "--Auth:AdminKeys:0=k"] });

        LoopbackBinding.RestrictWhenNoKeys(builder);

        Assert.Equal("http://0.0.0.0:5000", builder.Configuration["urls"]);
    }

    [Fact]
    public void RestrictWhenNoKeys_NoKey_RewritesTheConfiguredUrls()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--urls=http://0.0.0.0:5000"] });

        LoopbackBinding.RestrictWhenNoKeys(builder);

        Assert.Equal("http://127.0.0.1:5000", builder.Configuration["urls"]);
    }

    [Fact]
    public async Task Start_NoKeyAndAllInterfacesUrl_ListensOnLoopbackOnly()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string> { ["urls"] = "http://0.0.0.0:0" });

        var addresses = host.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;

        Assert.NotEmpty(addresses);
        Assert.All(addresses, a => Assert.True(IPAddress.IsLoopback(IPAddress.Parse(new Uri(a).Host)), a));
        Assert.NotNull(host.Service<LoopbackRewrite>());
    }
}
