using System.Globalization;
using System.Text;
using FunctionsObservability.Pipeline.Archive;
using FunctionsObservability.Pipeline.Ingest;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Archive;

public sealed class PartitionExportTests
{
    // Two whole hours a day ago: the partition under test and its neighbour.
    private static readonly long Hour = (MeshFixture.BaseSeconds / 3600) * 3600;

    private static async Task<MeshFixture> MeshWithTwoHoursAsync()
    {
        var mesh = new MeshFixture();
        var body = new StringBuilder();
        for (var second = 0; second < 7200; second += 10)
        {
            for (var h = 0; h < 3; h++)
            {
                body.Append(CultureInfo.InvariantCulture, $"arch,host=h{h},dc=d{h % 2} v={second + h} {Hour + second}\n");
            }
        }

        body.Append(CultureInfo.InvariantCulture, $"other v=1 {Hour}\n");
        var result = await mesh.Pipeline.SubmitAsync(MeshFixture.LineProtocol(body.ToString()), waitForCommit: true, CancellationToken.None);
        Assert.Equal(IngestOutcome.Written, result.Outcome);
        return mesh;
    }

    private static PartitionExtent ExportFirstHour(MeshFixture mesh, string file)
    {
        var ids = mesh.Catalog.ForMetric("arch_v").Select(s => s.Id).ToArray();
        using var connection = mesh.Database.OpenConnection();
        return PartitionExporter.Export(connection, ids, Hour * 1_000_000, file);
    }

    [Fact]
    public async Task Export_OneHourOfOneMetric_WritesAFileThatVerifies()
    {
        await using var mesh = await MeshWithTwoHoursAsync();
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "part.parquet");

        var extent = ExportFirstHour(mesh, file);

        await ParquetVerifier.VerifyAsync(file, extent, CancellationToken.None);
        Assert.Equal(3 * 360, extent.Rows);
        Assert.Equal(Hour * 1_000_000, extent.MinTimestampMicros);
        Assert.Equal((Hour + 3590) * 1_000_000, extent.MaxTimestampMicros);

        using var reader = mesh.Database.OpenConnection();
        using var command = reader.CreateCommand();
        command.CommandText = $"SELECT count(*), count(DISTINCT tags), min(tags) FROM read_parquet('{file}')";
        using var rows = command.ExecuteReader();
        rows.Read();
        Assert.Equal(1080, rows.GetInt64(0));
        Assert.Equal(3, rows.GetInt64(1));
        Assert.Equal("""{"dc":"d0","host":"h0"}""", rows.GetString(2));
    }

    [Fact]
    public async Task Verify_FigureThatDoesNotMatch_Throws()
    {
        await using var mesh = await MeshWithTwoHoursAsync();
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "part.parquet");
        var extent = ExportFirstHour(mesh, file);

        var rows = await Assert.ThrowsAsync<ArchiveVerificationException>(() => ParquetVerifier.VerifyAsync(file, extent with { Rows = extent.Rows + 1 }, CancellationToken.None));
        var span = await Assert.ThrowsAsync<ArchiveVerificationException>(() => ParquetVerifier.VerifyAsync(file, extent with { MaxTimestampMicros = extent.MaxTimestampMicros + 1 }, CancellationToken.None));

        Assert.Contains("1080 rows, but 1081 were selected", rows.Message, StringComparison.Ordinal);
        Assert.Contains("timestamps span", span.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_TruncatedFile_Throws()
    {
        await using var mesh = await MeshWithTwoHoursAsync();
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "part.parquet");
        var extent = ExportFirstHour(mesh, file);

        var bytes = await File.ReadAllBytesAsync(file);
        await File.WriteAllBytesAsync(file, bytes[..(bytes.Length / 2)]);

        var failure = await Assert.ThrowsAsync<ArchiveVerificationException>(() => ParquetVerifier.VerifyAsync(file, extent, CancellationToken.None));
        Assert.Contains("not a readable Parquet file", failure.Message, StringComparison.Ordinal);
    }
}
