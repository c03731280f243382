using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FunctionsObservability.Bench;

/// <summary>
/// The subscribers of the <c>tail</c> command: readers that count the points they get and time the
/// paced batches (whose values are 1,000,000 + k), and stalled ones that subscribe on a socket with
/// a small receive window and never read after the stream's first bytes.
/// </summary>
internal sealed class TailSubscribers : IAsyncDisposable
{
    public const double PacedBase = 1_000_000;

    /// <summary>Values from here on mark warm-up batches: they get the readers' code compiled before the clock starts, and are not counted.</summary>
    public const double WarmupBase = 2_000_000;

    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Reader> _readers = [];
    private readonly List<Socket> _stalled = [];

    public TailSubscribers(string url, int connections) =>
        _client = Http.Create(url, connections, Timeout.InfiniteTimeSpan);

    public IReadOnlyList<Reader> Readers => _readers;

    public async Task AddReaderAsync(string path)
    {
        var response = await _client.GetAsync(Http.Relative(path), HttpCompletionOption.ResponseHeadersRead, _stop.Token);
        response.EnsureSuccessStatusCode();
        var reader = new Reader();
        reader.Reading = Task.Run(() => reader.ReadAsync(response, _stop.Token));
        _readers.Add(reader);
    }

    public async Task AddStalledAsync(Uri baseUrl, string path)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, baseUrl.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"));
        var seen = new StringBuilder();
        var buffer = new byte[256];
        while (!seen.ToString().Contains("retry:", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer);
            if (read == 0)
            {
                throw new InvalidOperationException($"the tail closed a stalled subscriber before its preamble: {seen}");
            }

            seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        _stalled.Add(socket);
    }

    /// <summary>Reads what the stalled sockets hold until each ends; true for each the server closed (it was dropped).</summary>
    public async Task<int> CountDroppedStalledAsync(TimeSpan limit)
    {
        using var deadline = new CancellationTokenSource(limit);
        var ended = await Task.WhenAll(_stalled.Select(async socket =>
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token) > 0)
                {
                }

                return true;
            }
            catch (SocketException)
            {
                return true; // reset by the server: dropped
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }));
        return ended.Count(e => e);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var socket in _stalled)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_readers.Select(r => r.Reading));
        _client.Dispose();
    }

    internal sealed class Reader
    {
        private long _points;
        private long _warmups;

        public long WarmupEvents => Interlocked.Read(ref _warmups);

        public Task Reading { get; set; } = Task.CompletedTask;

        public long Points => Interlocked.Read(ref _points);

        /// <summary>Stopwatch timestamps of each paced batch's arrival, by k.</summary>
        public Dictionary<int, long> PacedArrivals { get; } = [];

        public bool Ended { get; private set; }

        public async Task ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            using (response)
            {
                try
                {
                    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
                    while (await reader.ReadLineAsync(cancellationToken) is { } line)
                    {
                        if (line.StartsWith("data: [", StringComparison.Ordinal))
                        {
                            var now = Stopwatch.GetTimestamp();
                            var value = FirstValue(line);
                            if (value >= WarmupBase)
                            {
                                Interlocked.Increment(ref _warmups);
                                continue;
                            }

                            Interlocked.Add(ref _points, CountOf(line, "{\"metric\""));
                            if (value >= PacedBase)
                            {
                                lock (PacedArrivals)
                                {
                                    PacedArrivals.TryAdd((int)(value - PacedBase), now);
                                }
                            }
                        }
                    }

                    Ended = true;
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
                {
                    Ended = !cancellationToken.IsCancellationRequested;
                }
            }
        }

        private static int CountOf(string line, string what)
        {
            var count = 0;
            for (var at = line.IndexOf(what, StringComparison.Ordinal); at >= 0; at = line.IndexOf(what, at + what.Length, StringComparison.Ordinal))
            {
                count++;
            }

            return count;
        }

        private static double FirstValue(string line)
        {
            const string Key = "\"value\":";
            var start = line.IndexOf(Key, StringComparison.Ordinal) + Key.Length;
            var end = start;
            while (end < line.Length && line[end] is not (',' or '}'))
            {
                end++;
            }

            return double.Parse(line.AsSpan(start, end - start), CultureInfo.InvariantCulture);
        }
    }
}
