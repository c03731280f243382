using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FunctionsObservability.Functions.Http;
using FunctionsObservability.Functions.Standalone.Security;
using FunctionsObservability.Pipeline.Archive;
using FunctionsObservability.Pipeline.Ingest;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Docs;

/// <summary>
/// The code in README.md and docs/*.md is the code that works: every ```csharp block compiles as
/// written (usings included) with the C# compiler of the SDK that runs the tests, against the
/// assemblies the tests use (so a ```csharp block is a whole program: a fragment would go in a
/// ```text block); every curl in a ```bash block calls a route the app serves; every ```json block
/// parses; every setting in the docs' tables exists; every relative link and anchor resolves, and
/// the README links every doc.
/// </summary>
public sealed partial class ReadmeExamplesTests
{
    private const string TestCommand = "dotnet test FunctionsObservability.sln";
    private const string RunCommand = "dotnet run --project functions -c Release";

    [Fact]
    public void Readme_KeepsTheRunAndTestCommandsVerbatim()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));

        // .ci/run runs the README's test command; CI greps for it.
        Assert.Contains(TestCommand, readme, StringComparison.Ordinal);
        Assert.Contains(RunCommand, readme, StringComparison.Ordinal);
    }

    [Fact]
    public void CSharpBlocks_CompileAsWritten()
    {
        var blocks = Blocks("csharp").ToList();
        Assert.Contains(blocks, block => block.Code.Contains("QueueClient", StringComparison.Ordinal));

        var failures = new List<string>();
        foreach (var block in blocks)
        {
            var output = Compile(block.Code);
            if (output is not null)
            {
                failures.Add($"{block}:\n{output}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Fact]
    public void BashBlocks_CurlOnlyRoutesThatExist()
    {
        var routes = typeof(Routes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field is { IsLiteral: true } && field.Name != nameof(Routes.Prefix))
            .Select(field => Routes.Path((string)field.GetRawConstantValue()!).Split('/', StringSplitOptions.RemoveEmptyEntries))
            .ToList();

        var checkedUrls = 0;
        var unknown = new List<string>();
        foreach (var block in Blocks("bash"))
        {
            foreach (Match url in LocalUrl().Matches(block.Code))
            {
                checkedUrls++;
                var segments = url.Groups["path"].Value.Split('/', StringSplitOptions.RemoveEmptyEntries);
                if (!routes.Any(route => Matches(route, segments)))
                {
                    unknown.Add($"{block}: {url.Value}");
                }
            }
        }

        Assert.True(unknown.Count == 0, "no such route:\n" + string.Join("\n", unknown));
        Assert.True(checkedUrls >= 10, $"only {checkedUrls} URLs of http://127.0.0.1:7071/api/... found in the docs' bash blocks");

        static bool Matches(string[] route, string[] segments) =>
            route.Length == segments.Length
            && route.Zip(segments).All(pair => pair.First.StartsWith('{') || pair.First == pair.Second);
    }

    [Fact]
    public void JsonBlocks_Parse()
    {
        var failures = new List<string>();
        foreach (var block in Blocks("json"))
        {
            try
            {
                using var document = JsonDocument.Parse(block.Code);
            }
            catch (JsonException exception)
            {
                failures.Add($"{block}: {exception.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// A setting in a table of the docs, under a section with an options class, is a property of that
    /// class: a removed setting leaves the tables (prose may still say it is gone).
    /// </summary>
    [Fact]
    public void NamedSettings_Exist()
    {
        var sections = new Dictionary<string, Type[]>
        {
            ["Storage"] = [typeof(StorageOptions)],
            ["Ingest"] = [typeof(IngestOptions)],
            ["Query"] = [typeof(QueryOptions)],
            ["Archive"] = [typeof(ArchivingOptions), typeof(ArchiveStoreOptions)],
            ["Auth"] = [typeof(AuthOptions)],
        };
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (file, text) in Documents())
        {
            var tables = string.Join('\n', text.Split('\n').Where(line => line.StartsWith('|')));
            foreach (Match setting in SettingName().Matches(tables))
            {
                var section = setting.Groups["section"].Value;
                var key = setting.Groups["key"].Value;
                if (!sections[section].Any(type => type.GetProperty(key, BindingFlags.Public | BindingFlags.Instance) is not null))
                {
                    unknown.Add($"{section}:{key} ({file})");
                }
            }
        }

        Assert.True(unknown.Count == 0, "settings named in the docs that no options class has:\n" + string.Join("\n", unknown));
    }

    [Fact]
    public void RelativeLinks_Resolve_AndEveryDocIsLinkedFromTheReadme()
    {
        var broken = new List<string>();
        foreach (var (file, text) in Documents())
        {
            var folder = Path.GetDirectoryName(Path.Combine(RepositoryPaths.Root, file))!;
            foreach (Match link in RelativeLink().Matches(text))
            {
                var parts = link.Groups["target"].Value.Split('#', 2);
                var target = parts[0].Length == 0 ? Path.Combine(RepositoryPaths.Root, file) : Path.Combine(folder, parts[0]);
                if (!File.Exists(target) && !Directory.Exists(target))
                {
                    broken.Add($"{file}: {link.Value}");
                }
                else if (parts.Length == 2 && target.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(target)).Contains(parts[1]))
                {
                    broken.Add($"{file}: {link.Value} (no such heading)");
                }
            }
        }

        Assert.True(broken.Count == 0, "links to nothing:\n" + string.Join("\n", broken));
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        foreach (var doc in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md"))
        {
            Assert.Contains($"](docs/{Path.GetFileName(doc)})", readme, StringComparison.Ordinal);
        }
    }

    /// <summary>The anchors GitHub gives a document's headings: lower case, punctuation dropped, spaces as hyphens.</summary>
    private static HashSet<string> Anchors(string markdown) => markdown.Split('\n')
        .Where(line => line.StartsWith('#'))
        .Select(line => string.Concat(line.TrimStart('#').Trim().ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')).Replace(' ', '-'))
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>README.md and docs/*.md, by path relative to the repository root.</summary>
    private static IEnumerable<(string File, string Text)> Documents()
    {
        yield return ("README.md", File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md")));
        foreach (var path in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            yield return ($"docs/{Path.GetFileName(path)}", File.ReadAllText(path));
        }
    }

    /// <summary>The fenced blocks of one language, in document order.</summary>
    private static IEnumerable<CodeBlock> Blocks(string language)
    {
        foreach (var (file, text) in Documents())
        {
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimEnd() != "```" + language)
                {
                    continue;
                }

                var start = i + 1;
                var code = new StringBuilder();
                for (i = start; i < lines.Length && lines[i].TrimEnd() != "```"; i++)
                {
                    code.Append(lines[i]).Append('\n');
                }

                Assert.True(i < lines.Length, $"{file}:{start}: the ```{language} block is not closed");
                yield return new CodeBlock(file, start, code.ToString());
            }
        }
    }

    /// <summary>Compiles a program with csc; null when it compiles, else the compiler's output.</summary>
    private static string? Compile(string code)
    {
        using var folder = new TempDirectory();
        var source = Path.Combine(folder.Path, "Program.cs");
        File.WriteAllText(source, code);

        // Everything the test process can load: the shared frameworks and the test's packages
        // (Azure.Storage.Queues among them), as a program that references those packages would.
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
        var arguments = new StringBuilder()
            .AppendLine("-nologo")
            .AppendLine("-noconfig")
            .AppendLine("-target:exe")
            .AppendLine("-langversion:latest")
            .AppendLine("-nullable:enable")
            .AppendLine($"-out:\"{Path.Combine(folder.Path, "snippet.dll")}\"");
        foreach (var reference in references)
        {
            arguments.AppendLine($"-r:\"{reference}\"");
        }

        arguments.AppendLine($"\"{source}\"");
        var responseFile = Path.Combine(folder.Path, "csc.rsp");
        File.WriteAllText(responseFile, arguments.ToString());

        var (dotnet, csc) = Compiler();
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(csc);
        start.ArgumentList.Add("@" + responseFile);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "csc did not finish within 3 minutes");
        var output = (stdout.Result + stderr.Result).Replace(folder.Path + Path.DirectorySeparatorChar, "", StringComparison.Ordinal);
        return process.ExitCode == 0 ? null : $"csc exited with {process.ExitCode}:\n{output}";
    }

    /// <summary>
    /// The dotnet host that runs these tests and the newest SDK's C# compiler beside it: the SDK that
    /// builds and tests the repository has one, so no compiler package is needed.
    /// </summary>
    private static (string Dotnet, string Csc) Compiler()
    {
        // <root>/shared/Microsoft.NETCore.App/<version>/System.Private.CoreLib.dll
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        var dotnet = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        var csc = Directory.Exists(Path.Combine(root, "sdk"))
            ? Directory.GetDirectories(Path.Combine(root, "sdk"))
                .Select(sdk => (Sdk: sdk, Version: Version.TryParse(Path.GetFileName(sdk).Split('-', 2)[0], out var version) ? version : null))
                .Where(sdk => sdk.Version is not null && File.Exists(Path.Combine(sdk.Sdk, "Roslyn", "bincore", "csc.dll")))
                .OrderByDescending(sdk => sdk.Version)
                .Select(sdk => Path.Combine(sdk.Sdk, "Roslyn", "bincore", "csc.dll"))
                .FirstOrDefault()
            : null;
        Assert.True(File.Exists(dotnet) && csc is not null, $"no dotnet host with an SDK's Roslyn/bincore/csc.dll under {root}");
        return (dotnet, csc!);
    }

    private sealed record CodeBlock(string File, int Line, string Code)
    {
        public override string ToString() => $"{File}:{Line}";
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:7071(?<path>/api/[^\s'""?\\)]*)")]
    private static partial Regex LocalUrl();

    [GeneratedRegex(@"`(?<section>Storage|Ingest|Query|Archive|Auth):(?<key>[A-Za-z]+)")]
    private static partial Regex SettingName();

    [GeneratedRegex(@"\]\((?<target>(?!https?:|mailto:)[^)\s]+)\)")]
    private static partial Regex RelativeLink();
}
