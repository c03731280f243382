using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using FunctionsObservability.Functions.Http;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Telemetry;

/// <summary>
/// Scrapes <c>/metrics</c> until the answer shows what a test waits for. A measurement recorded as a
/// handler returns may land just after the client read its answer, and the exporter caches a scrape
/// briefly, so a test polls, within a deadline.
/// </summary>
internal static class Scrapes
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static async Task<string> UntilAsync(ServiceHost host, Func<string, bool> done, string? bearer = null)
    {
        var started = Stopwatch.StartNew();
        var last = "";
        while (started.Elapsed < Deadline)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Routes.Scrape);
            if (bearer is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }

            using var response = await host.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            last = await response.Content.ReadAsStringAsync();
            if (done(last))
            {
                return last;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"/metrics did not show what was expected within {Deadline.TotalSeconds} s; last answer:\n{last}");
        return last;
    }
}
