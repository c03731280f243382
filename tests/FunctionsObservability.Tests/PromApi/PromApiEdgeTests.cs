using System.Net;
using System.Text;
using System.Text.Json;
using FunctionsObservability.Pipeline.PromQL;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.PromApi;

/// <summary>Inputs the fuzzer found answered with 500, now answered in Prometheus's error shape (or served).</summary>
public sealed class PromApiEdgeTests
{
    [Fact]
    public void A_regex_that_backtracks_past_its_time_limit_fails_the_query_with_execution()
    {
        var matcher = new LabelMatcher("v", Pipeline.PromQL.MatchType.Regex, "(a+)+$");

        var error = Assert.Throws<PromQueryException>(() => matcher.Matches(new string('a', 40) + "!"));

        Assert.Equal(PromErrorType.Execution, error.ErrorType);
        Assert.Contains("label v", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_huge_timeout_is_no_shorter_than_the_service_s_own_and_the_query_runs()
    {
        await using var host = await ServiceHost.StartAsync();
        foreach (var timeout in new[] { "9223372036854775807ms", "100000y", "1e15" })
        {
            using var response = await host.Client.GetAsync($"/api/v1/query?query=1&time=1700000000&timeout={timeout}");
            Assert.True(HttpStatusCode.OK == response.StatusCode, $"timeout={timeout}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task A_form_post_whose_body_does_not_match_its_multipart_type_is_bad_data()
    {
        await using var host = await ServiceHost.StartAsync();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("query=1"));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=x");

        using var response = await host.Client.PostAsync("/api/v1/query", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("bad_data", body.GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task The_smallest_timestamp_is_a_clear_400_not_an_overflow()
    {
        await using var host = await ServiceHost.StartAsync();

        using var response = await host.Client.PostAsync("/api/v2/write?precision=us", new StringContent("m v=1 -9223372036854775808\n"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("in the past", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_past_the_sample_cap_is_execution_naming_the_setting()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string> { ["PromQL:MaxSamples"] = "100" });

        using var response = await host.Client.GetAsync("/api/v1/query_range?query=vector(1)&start=1700000000&end=1700000199&step=1");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("execution", body.GetProperty("errorType").GetString());
        Assert.Contains("PromQL:MaxSamples", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
