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
