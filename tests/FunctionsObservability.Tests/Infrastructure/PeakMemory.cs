namespace FunctionsObservability.Tests.Infrastructure;

/// <summary>
/// The process's peak working set is a high-water mark for its whole life: in a test run it is
/// whatever test peaked first. A test that checks the memory ceiling of its own scenario resets
/// the mark when it starts (Linux: writing 5 to /proc/self/clear_refs, since 4.0), so the peak it
/// reads is its own scenario's, plus whatever runs beside it.
/// </summary>
internal static class PeakMemory
{
    /// <summary>The README's "about 100 MiB at idle", rounded up: what a service process holds before any request.</summary>
    public const long IdleProcessBytes = 128L * 1024 * 1024;

    /// <summary>
    /// The scenario's share of the process: how far the peak rose above the working set at
    /// <see cref="Reset"/>, plus an idle process. The service runs inside the test process, which
    /// by the time the memory tests run holds the runner and what the parallel tests left behind
    /// (about 600 MiB in a full run after GC); that is not the service under test's memory.
    /// </summary>
    public static long ScenarioFootprint(long baseline) =>
        System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 - baseline + IdleProcessBytes;

    /// <summary>Collects garbage, resets the peak mark, and returns the working set the scenario starts from.</summary>
    public static long Reset()
    {
        // What the tests before it left as garbage is not this scenario's: collect it, compacting the
        // large-object heap too, so the heap returns its free memory before the mark is reset.
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Elsewhere the mark stays: the check is stricter, never weaker.
        }

        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
