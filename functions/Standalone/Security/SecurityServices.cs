namespace FunctionsObservability.Functions.Standalone.Security;

/// <summary>Function keys and per-caller rate limits: registration, middleware, start-up notices.</summary>
internal static partial class SecurityServices
{
    /// <summary>Binds and validates <c>Auth</c> and <c>RateLimits</c>, so bad settings stop start-up.</summary>
    public static IServiceCollection AddFunctionKeysAndRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var auth = AuthOptions.FromConfiguration(configuration);
        auth.Validate();
        var limits = new RateLimitOptions();
        configuration.GetSection(RateLimitOptions.SectionName).Bind(limits);
        limits.Validate();

        services.AddSingleton(auth);
        services.AddSingleton(limits);
        services.AddSingleton(new FunctionKeys(auth));
        services.AddSingleton(sp => new SecurityMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddRateLimiter(limiter => RateLimits.Configure(limiter, limits));
        return services;
    }

    /// <summary>Keys first, so the rate limiter can partition by the key that matched.</summary>
    public static IApplicationBuilder UseFunctionKeysAndRateLimits(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var services = app.ApplicationServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("FunctionsObservability.Security");
        var auth = services.GetRequiredService<AuthOptions>();
        if (auth.HasAnyKey)
        {
            LogKeysEnforced(logger, auth.IngestKeys.Count, auth.QueryKeys.Count, auth.AdminKeys.Count, auth.MetricsKeys.Count);
        }
        else
        {
            LogOpen(logger);
        }

        if (services.GetService<LoopbackRewrite>() is { } rewrite)
        {
            LogRewritten(logger, rewrite.Configured, rewrite.Loopback);
        }

        app.UseMiddleware<FunctionKeyMiddleware>();
        app.UseRateLimiter();
        return app;
    }

    [LoggerMessage(EventId = LogEvents.NoFunctionKeyConfigured, Level = LogLevel.Warning,
        Message = "No function key is configured (Auth:IngestKeys, Auth:QueryKeys, Auth:AdminKeys, Auth:MetricsKeys): every route is open, so the service listens on loopback only")]
    private static partial void LogOpen(ILogger logger);

    [LoggerMessage(EventId = LogEvents.ListenUrlsRestrictedToLoopback, Level = LogLevel.Warning,
        Message = "urls {Configured} would listen beyond loopback while no function key is configured; listening on {Loopback} instead. Configure Auth keys to listen on other addresses")]
    private static partial void LogRewritten(ILogger logger, string configured, string loopback);

    [LoggerMessage(EventId = LogEvents.FunctionKeysEnforced, Level = LogLevel.Information,
        Message = "Function keys enforced: {Ingest} ingest, {Query} query, {Admin} admin and {Metrics} metrics keys")]
    private static partial void LogKeysEnforced(ILogger logger, int ingest, int query, int admin, int metrics);
}
