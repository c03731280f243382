using FunctionsObservability.Functions.Hosting;

await using var app = AppFactory.Build(args);
await app.RunAsync();
