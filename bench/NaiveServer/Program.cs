using FunctionsObservability.Bench.NaiveServer;

// The naive pattern the service replaces: parse line protocol simply and run ONE parameterised
// INSERT per point, each in its own autocommit transaction, on one shared DuckDB connection.
// Same HTTP shape as the service (POST /api/v2/write, POST /api/ingest, GET /api/metrics,
// GET /api/health) and the same configuration (ASPNETCORE_URLS, Storage__DataDirectory).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var dataDirectory = builder.Configuration["Storage:DataDirectory"] ?? "naive-data";
using var store = new NaiveStore(dataDirectory);

var app = builder.Build();
app.MapGet("/api/health", () => Results.Ok(new { status = "ok" }));
app.MapPost("/api/v2/write", (HttpRequest request, string? precision) => WriteAsync(request, precision));
app.MapPost("/api/ingest", (HttpRequest request, string? precision) => WriteAsync(request, precision));
app.MapGet("/api/metrics", async () => Results.Ok(new { metrics = await store.CountByMetricAsync() }));
app.Run();

async Task<IResult> WriteAsync(HttpRequest request, string? precision)
{
    using var reader = new StreamReader(request.Body);
    var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
    if (!NaiveLineProtocol.TryParse(body, precision ?? "ns", out var points, out var error))
    {
        return Results.BadRequest(new { error });
    }

    await store.InsertOneByOneAsync(points);
    return Results.NoContent();
}
