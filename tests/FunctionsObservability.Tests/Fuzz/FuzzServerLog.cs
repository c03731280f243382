using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Tests.Fuzz;

internal sealed record ServerLogEntry(int? CaseId, string Category, LogLevel Level, string Message, Exception? Exception)
{
    /// <summary>Type, message and the first product frame: the same fault gives the same text.</summary>
    public string Signature()
    {
        if (Exception is null)
        {
            return $"{Level} {Category}: {FuzzCase.Escape(Message, 160)}";
        }

        var inner = Exception;
        while (inner is AggregateException { InnerException: { } next })
        {
            inner = next;
        }

        var frame = inner.ToString().Split('\n').Select(l => l.Trim())
            .FirstOrDefault(l => l.StartsWith("at FunctionsObservability", StringComparison.Ordinal)) ?? "(no product frame)";
        var message = FuzzCase.Escape(Regex.Replace(inner.Message, @"\d{4,}", "#"), 200);
        return $"{inner.GetType().FullName}: {message} | {frame}";
    }

    /// <summary>The first lines of the exception, then any later frames in product code.</summary>
    public string StackExcerpt(int lines)
    {
        if (Exception is null)
        {
            return "";
        }

        var all = Exception.ToString().Split('\n').Select(l => l.TrimEnd()).ToList();
        var product = all.Skip(lines).Where(l => l.Contains("at FunctionsObservability", StringComparison.Ordinal)).Take(8).ToList();
        return string.Join("\n      ", all.Take(lines).Concat(product.Count > 0 ? ["   …", .. product] : []));
    }
}

/// <summary>
/// Captures the server's warnings and errors (with their exceptions), each tagged with the fuzz case
/// that was being served: a middleware outside the app's own reads the case header into an
/// <see cref="AsyncLocal{T}"/> that flows to every log call made while serving that request.
/// </summary>
internal sealed class FuzzServerLog : ILoggerProvider, IStartupFilter
{
    public const string CaseHeader = "X-Fuzz-Case";

    private readonly AsyncLocal<int?> _currentCase = new();

    public ConcurrentQueue<ServerLogEntry> Entries { get; } = new();

    public void Configure(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.AddProvider(this);
        builder.Services.AddSingleton<IStartupFilter>(this);
    }

    public ILookup<int, ServerLogEntry> ByCase() =>
        Entries.Where(e => e.CaseId is not null).ToLookup(e => e.CaseId!.Value);

    Action<IApplicationBuilder> IStartupFilter.Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (HttpContext context, RequestDelegate nextMiddleware) =>
        {
            _currentCase.Value = int.TryParse(context.Request.Headers[CaseHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
            await nextMiddleware(context);
        });
        next(app);
    };

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(FuzzServerLog owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error || exception is not null)
            {
                owner.Entries.Enqueue(new ServerLogEntry(owner._currentCase.Value, category, logLevel, formatter(state, exception), exception));
            }
        }
    }
}
