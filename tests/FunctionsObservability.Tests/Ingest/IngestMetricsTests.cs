using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using FunctionsObservability.Pipeline.Ingest;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Ingest;

public sealed class IngestMetricsTests
{
    [Fact]
    public async Task Submit_GoodAndBadLines_AreCountedByTheInstruments()
    {
        await using var mesh = new MeshFixture();
        var totals = new Dictionary<string, long>();
        using var listener = new MeterListener();
        Instrument[] mine = [mesh.Metrics.PointsAccepted, mesh.Metrics.PointsRejected, mesh.Metrics.PointsWritten, mesh.Metrics.BatchSize];
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (mine.Contains(instrument))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (totals)
            {
                totals[instrument.Name] = totals.GetValueOrDefault(instrument.Name) + value;
            }
        });
        listener.Start();
        var body = new StringBuilder();
        for (var i = 0; i < 10; i++)
        {
            body.Append(CultureInfo.InvariantCulture, $"m,host=a v={i} {MeshFixture.BaseSeconds + i}\n");
        }

        body.Append("m,host=a v=oops 1\n");

        var result = await mesh.Pipeline.SubmitAsync(MeshFixture.LineProtocol(body.ToString()), waitForCommit: true, CancellationToken.None);

        Assert.Equal(IngestOutcome.PartiallyWritten, result.Outcome);
        lock (totals)
        {
            Assert.Equal(10, totals["fo.ingest.points.accepted"]);
            Assert.Equal(1, totals["fo.ingest.points.rejected"]);
            Assert.Equal(10, totals["fo.ingest.points.written"]);
            Assert.Equal(10, totals["fo.ingest.batch.size"]);
        }
    }
}
