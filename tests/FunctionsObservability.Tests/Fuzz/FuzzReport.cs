using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>A distinct failure: what went wrong, where, and the server's exception, with the smallest case that shows it.</summary>
internal sealed record FailureClass(string Key, int Count, string Families, FuzzViolation Smallest, ServerLogEntry? ServerError);

/// <summary>Totals per family and status, and the violations grouped into distinct classes.</summary>
internal static class FuzzReport
{
    public static List<FailureClass> Classify(IReadOnlyList<FuzzViolation> violations, FuzzServerLog log)
    {
        var byCase = log.ByCase();
        return [.. violations
            .Select(v => (Violation: v, Error: byCase[v.Id].FirstOrDefault(e => e.Exception is not null) ?? byCase[v.Id].FirstOrDefault()))
            .GroupBy(x => $"{Masked(x.Violation.Reason, @"\d{4,}", 100)} | {FuzzRunner.RouteOf(x.Violation.Case)} | "
                + (x.Error?.Signature() ?? "answer: " + Masked(x.Violation.Answer.Body, @"\d+", 120)))
            .Select(g => new FailureClass(
                g.Key,
                g.Count(),
                string.Join(", ", g.Select(x => x.Violation.Case.Family).Distinct().Order(StringComparer.Ordinal)),
                g.MinBy(x => x.Violation.Case.Size).Violation,
                g.MinBy(x => x.Violation.Case.Size).Error))
            .OrderByDescending(c => c.Count)];
    }

    public static void Write(ITestOutputHelper output, int cases, TimeSpan elapsed, FuzzRunner runner, List<FailureClass> classes, FuzzServerLog log)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{cases} fuzz cases in {elapsed.TotalSeconds:F1} s ({cases / elapsed.TotalSeconds:F0}/s)"));
        foreach (var (key, count) in runner.Counts.Where(c => c.Key.StartsWith("cases ", StringComparison.Ordinal)).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var family = key["cases ".Length..];
            var statuses = runner.Counts.Where(c => c.Key.StartsWith($"status {family} ", StringComparison.Ordinal))
                .OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key[$"status {family} ".Length..]}×{c.Value}");
            output.WriteLine($"  {family,-18} {count,5} cases; statuses {string.Join(", ", statuses)}");
        }

        var allStatuses = runner.Counts.Where(c => c.Key.StartsWith("status ", StringComparison.Ordinal))
            .GroupBy(c => c.Key.Split(' ')[^1]).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}×{g.Sum(c => c.Value)}");
        output.WriteLine($"  all statuses: {string.Join(", ", allStatuses)}");
        output.WriteLine($"  transports: {string.Join(", ", runner.Counts.Where(c => c.Key.StartsWith("transport", StringComparison.Ordinal)).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key["transport ".Length..]}×{c.Value}"))}");

        output.WriteLine($"\n{runner.Violations.Count} violations in {classes.Count} distinct classes");
        foreach (var (failure, index) in classes.Select((c, i) => (c, i + 1)))
        {
            output.WriteLine($"\n[{index}] ×{failure.Count} ({failure.Families}): {failure.Key}");
            output.WriteLine($"    repro: {failure.Smallest.Case.Describe(300)}");
            output.WriteLine($"    answer: {Answer(failure.Smallest.Answer)}");
            if (failure.ServerError is { } error)
            {
                output.WriteLine($"    server: {error.Category} {error.Level}: {FuzzCase.Escape(error.Message, 300)}");
                output.WriteLine($"      {error.StackExcerpt(14)}");
            }
        }

        var stray = StrayErrors(runner.Violations, log);
        output.WriteLine($"\nserver errors not tied to a violating answer: {stray.Sum(g => g.Count())} in {stray.Count} kinds");
        foreach (var group in stray)
        {
            output.WriteLine($"  ×{group.Count()} {group.Key}");
            output.WriteLine($"      e.g. case {group.First().CaseId?.ToString(CultureInfo.InvariantCulture) ?? "-"}: {group.First().StackExcerpt(10)}");
        }
    }

    /// <summary>The slowest cases and the time per family, to see where the run's time goes.</summary>
    public static void WriteSlowest(ITestOutputHelper output, IReadOnlyList<FuzzCase> cases, FuzzRunner runner, int count)
    {
        var perFamily = Enumerable.Range(0, cases.Count).GroupBy(i => cases[i].Family)
            .Select(g => (Family: g.Key, Seconds: g.Sum(i => runner.Durations[i].TotalSeconds))).OrderByDescending(f => f.Seconds);
        output.WriteLine($"\nsender time per family: {string.Join(", ", perFamily.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Family} {f.Seconds:F1} s")))}");
        foreach (var id in Enumerable.Range(0, cases.Count).OrderByDescending(i => runner.Durations[i]).Take(count))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {runner.Durations[id].TotalSeconds,6:F2} s #{id} -> {runner.Answers[id].Status}: {cases[id].Describe(80)}"));
        }
    }

    /// <summary>
    /// Errors the server logged while its answer looked fine (a 202 whose parse then failed; an error after
    /// the answer began): by signature. The case id of an error logged on a pipeline worker is the request
    /// that started the worker's task, which may not be the request that failed.
    /// </summary>
    public static List<IGrouping<string, ServerLogEntry>> StrayErrors(IReadOnlyList<FuzzViolation> violations, FuzzServerLog log)
    {
        var attributed = violations.Select(v => v.Id).ToHashSet();
        return [.. log.Entries.Where(e => e.CaseId is null || !attributed.Contains(e.CaseId.Value))
            .GroupBy(e => e.Signature()).OrderByDescending(g => g.Count())];
    }

    /// <summary>The assertion message: the classes, then the first 30 violations, then the count.</summary>
    public static string FailureMessage(IReadOnlyList<FuzzViolation> violations, List<FailureClass> classes, List<string> otherProblems)
    {
        var text = new StringBuilder();
        foreach (var problem in otherProblems)
        {
            text.AppendLine(problem);
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"{violations.Count} fuzz cases broke the rule, in {classes.Count} distinct classes:");
        foreach (var failure in classes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  ×{failure.Count} {failure.Key}");
        }

        text.AppendLine("First 30:");
        foreach (var v in violations.Take(30))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  #{v.Id} [{v.Case.Family}] {v.Reason}: {v.Case.Describe()} -> {Answer(v.Answer)}");
        }

        return text.AppendLine(CultureInfo.InvariantCulture, $"({violations.Count} violations in total)").ToString();
    }

    private static string Answer(FuzzAnswer answer) =>
        $"{(answer.Status == 0 ? "no status" : answer.Status.ToString(CultureInfo.InvariantCulture))} via {answer.Transport} {FuzzCase.Escape(answer.Body, 240)}";

    private static string Masked(string text, string digits, int max) =>
        FuzzCase.Escape(Regex.Replace(text, digits, "#"), max);
}
