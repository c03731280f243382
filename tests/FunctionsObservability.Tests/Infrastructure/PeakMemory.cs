namespace FunctionsObservability.Tests.Infrastructure;

/// <summary>
/// The process's peak working set is a high-water mark for its whole life: in a test run it is
/// whatever test peaked first. A test that checks the memory ceiling of its own scenario resets
/// the mark when it starts (Linux: writing 5 to /proc/self/clear_refs, since 4.0), so the peak it
/// reads is its own scenario's, plus whatever runs beside it.
/// </summary>
internal static class PeakMemory
{
    public static void Reset()
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
    }
}
