using System.Collections.Concurrent;
using System.Diagnostics;

namespace FunctionsObservability.Tests.Infrastructure;

/// <summary>The lines a started process wrote, stdout and stderr apart, for tests that check its log.</summary>
public sealed class ProcessOutput
{
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    public IReadOnlyList<string> StandardOutput => [.. _stdout];

    public IReadOnlyList<string> StandardError => [.. _stderr];

    public string AllText => string.Join('\n', _stdout.Concat(_stderr));

    internal void Add(string? line, bool error)
    {
        if (line is not null)
        {
            (error ? _stderr : _stdout).Enqueue(line);
        }
    }

    /// <summary>Waits (polling, with a deadline) for a stdout line that matches, and returns it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var line = _stdout.FirstOrDefault(match);
            if (line is not null)
            {
                return line;
            }

            Assert.True(deadline.Elapsed < timeout, $"no matching line within {timeout.TotalSeconds} s; output:\n{AllText}");
            await Task.Delay(50);
        }
    }
}
