using System.Diagnostics;
using System.Globalization;

namespace FunctionsObservability.Bench;

/// <summary>Reads CPU and memory figures of a process and of the machine from /proc (Linux only).</summary>
internal static class Proc
{
    // USER_HZ is 100 on every Linux build that .NET supports.
    private const double TicksPerSecond = 100.0;

    /// <summary>utime + stime of <paramref name="pid"/> in seconds, or NaN if it cannot be read.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name may hold spaces, so the fields start after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (utime + stime) / TicksPerSecond;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>A field such as VmRSS or VmHWM from /proc/PID/status, in MiB, or NaN.</summary>
    public static double StatusMiB(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    var kb = long.Parse(
                        line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    return kb / 1024.0;
                }
            }
        }
        catch (IOException)
        {
        }

        return double.NaN;
    }

    /// <summary>Busy seconds summed over all cores (everything but idle and iowait).</summary>
    public static double MachineBusySeconds()
    {
        var first = File.ReadLines("/proc/stat").First();
        var parts = first.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long busy = 0;
        for (var i = 1; i < parts.Length && i <= 8; i++)
        {
            if (i is 4 or 5)
            {
                continue; // idle, iowait
            }

            busy += long.Parse(parts[i], CultureInfo.InvariantCulture);
        }

        return busy / TicksPerSecond;
    }

    public static double OwnCpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>cutime + cstime of this process: the CPU of its children that have exited and been reaped (e.g. wrk).</summary>
    public static double ChildrenCpuSeconds()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}

/// <summary>
/// CPU of the server, of this process and of the whole machine between <see cref="Start"/> and
/// <see cref="Stop"/>, plus the server's RSS polled every 100 ms.
/// </summary>
internal sealed class ResourceMeter : IAsyncDisposable
{
    private readonly int? _serverPid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = new();
    private Task? _poller;
    private double _server0;
    private double _own0;
    private double _machine0;
    private double _maxRssMiB = double.NaN;

    public ResourceMeter(int? serverPid) => _serverPid = serverPid;

    public void Start()
    {
        _server0 = _serverPid is { } pid ? Proc.CpuSeconds(pid) : double.NaN;
        _own0 = Proc.OwnCpuSeconds();
        _machine0 = Proc.MachineBusySeconds();
        _clock.Start();
        if (_serverPid is { } p)
        {
            _poller = Task.Run(() => PollRssAsync(p, _stop.Token));
        }
    }

    public async Task<ResourceUsage> StopAsync()
    {
        _clock.Stop();
        var server = _serverPid is { } pid ? Proc.CpuSeconds(pid) - _server0 : double.NaN;
        var own = Proc.OwnCpuSeconds() - _own0;
        var machine = Proc.MachineBusySeconds() - _machine0;
        await _stop.CancelAsync();
        if (_poller is not null)
        {
            await _poller;
        }

        var hwm = _serverPid is { } p ? Proc.StatusMiB(p, "VmHWM") : double.NaN;
        var wall = _clock.Elapsed.TotalSeconds;
        var other = double.IsNaN(server) ? machine - own : machine - own - server;
        return new ResourceUsage(wall, server, own, other / wall, hwm, _maxRssMiB);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_poller is not null)
        {
            await _poller;
        }

        _stop.Dispose();
    }

    private async Task PollRssAsync(int pid, CancellationToken token)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            do
            {
                var rss = Proc.StatusMiB(pid, "VmRSS");
                if (!double.IsNaN(rss) && (double.IsNaN(_maxRssMiB) || rss > _maxRssMiB))
                {
                    _maxRssMiB = rss;
                }
            }
            while (await timer.WaitForNextTickAsync(token));
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <param name="WallSeconds">Time between Start and Stop.</param>
/// <param name="ServerCpuSeconds">Server utime+stime over the interval (NaN without a PID).</param>
/// <param name="OwnCpuSeconds">This load generator's CPU over the interval.</param>
/// <param name="OtherCpuCores">Machine busy minus server minus us, divided by wall time: noise from elsewhere.</param>
/// <param name="ServerPeakRssMiB">VmHWM of the server at the end (peak since it started).</param>
/// <param name="ServerMaxPolledRssMiB">Largest VmRSS seen while polling every 100 ms.</param>
internal readonly record struct ResourceUsage(
    double WallSeconds,
    double ServerCpuSeconds,
    double OwnCpuSeconds,
    double OtherCpuCores,
    double ServerPeakRssMiB,
    double ServerMaxPolledRssMiB);
