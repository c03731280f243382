using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace FunctionsObservability.Bench;

/// <summary>
/// <c>gen</c>: writes the deterministic line-protocol workload as batch files plus manifest.json.
/// Lines are <c>cpu,host=hH,region=rR usage_user=U,usage_system=S T</c>, time-major (each second,
/// one line per host), with values from a per-host bounded random walk driven by a seeded
/// xorshift32, so the files are byte-identical on every run and machine. <c>--interval</c> spaces the
/// timestamps further apart and <c>--fields 1</c> writes only usage_user (the random walk is the same,
/// so usage_user keeps its values); with the defaults the parameters, and so the files, are unchanged.
/// </summary>
internal static class Generator
{
    public const string ManifestName = "manifest.json";
    private const int Format = 1;

    public static int Run(Options options)
    {
        var interval = options.Int("interval", 1);
        var fields = options.Int("fields", 2);
        var p = new GenParams(
            Lines: options.Long("lines", 5_000_000),
            Hosts: options.Int("hosts", 1000),
            Regions: options.Int("regions", 10),
            BatchLines: options.Int("batch", 5000),
            BaseTs: options.Long("base", 1_704_067_200),
            Seed: (uint)options.Long("seed", 42),
            Precision: options.String("precision", "ns"))
        {
            // Left out of params (and so of the reuse check) at their defaults: old workloads stay valid.
            Interval = interval == 1 ? null : interval,
            Fields = fields == 2 ? null : fields,
        };
        var dir = Path.GetFullPath(options.String("out"));
        options.EnsureAllUsed();
        var manifest = Generate(dir, p);
        JsonOut.Print(manifest);
        return 0;
    }

    /// <summary>Writes the workload into <paramref name="dir"/> (or reuses a complete one with the same parameters) and returns its manifest.</summary>
    public static JsonObject Generate(string dir, GenParams p)
    {
        if (p.Lines <= 0 || p.Hosts <= 0 || p.Lines % p.Hosts != 0)
        {
            throw new UsageException("--lines must be a positive multiple of --hosts");
        }

        if (p.Precision is not ("s" or "ms" or "us" or "ns"))
        {
            throw new UsageException("--precision must be s, ms, us or ns");
        }

        if (p.IntervalSeconds < 1 || p.FieldCount is not (1 or 2))
        {
            throw new UsageException("--interval must be at least 1 and --fields 1 or 2");
        }

        var manifestPath = Path.Combine(dir, ManifestName);
        if (TryReuse(manifestPath, p) is { } existing)
        {
            existing["reused"] = true;
            return existing;
        }

        Directory.CreateDirectory(dir);
        foreach (var old in Directory.EnumerateFiles(dir, "batch-*.lp").Append(manifestPath).ToList())
        {
            File.Delete(old);
        }

        var clock = Stopwatch.StartNew();
        var (files, bytes, sha) = Write(dir, p);
        var manifest = new JsonObject
        {
            ["cmd"] = "gen",
            ["params"] = JsonSerializer.SerializeToNode(p),
            ["format"] = Format,
            ["dir"] = dir,
            ["files"] = files,
            ["lines"] = p.Lines,
            ["field_values"] = p.Lines * p.FieldCount,
            ["hosts"] = p.Hosts,
            ["points_per_series"] = p.Lines / p.Hosts,
            ["first_ts"] = p.BaseTs,
            ["last_ts"] = p.BaseTs + (((p.Lines / p.Hosts) - 1) * p.IntervalSeconds),
            ["precision"] = p.Precision,
            ["bytes"] = bytes,
            ["sha256"] = sha,
            ["gen_seconds"] = JsonOut.Num(clock.Elapsed.TotalSeconds, 2),
            ["complete"] = true,
        };
        if (p.Interval is not null || p.Fields is not null)
        {
            manifest["interval_s"] = p.IntervalSeconds;
            manifest["fields"] = p.FieldCount;
        }

        File.WriteAllText(manifestPath, manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        manifest["reused"] = false;
        return manifest;
    }

    public static JsonObject ReadManifest(string dir) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(dir, ManifestName)))?.AsObject()
        ?? throw new InvalidDataException($"{dir}/{ManifestName} is empty");

    private static JsonObject? TryReuse(string manifestPath, GenParams p)
    {
        try
        {
            var m = JsonNode.Parse(File.ReadAllText(manifestPath))?.AsObject();
            var same = m is not null
                && m["complete"]?.GetValue<bool>() == true
                && m["format"]?.GetValue<int>() == Format
                && JsonNode.DeepEquals(m["params"], JsonSerializer.SerializeToNode(p));
            var dir = Path.GetDirectoryName(manifestPath)!;
            return same && Directory.EnumerateFiles(dir, "batch-*.lp").Count() == m!["files"]!.GetValue<int>()
                ? m
                : null;
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static (int Files, long Bytes, string Sha256) Write(string dir, GenParams p)
    {
        var rng = new XorShift32(p.Seed);
        var prefixes = new string[p.Hosts];
        var user = new double[p.Hosts];
        var sys = new double[p.Hosts];
        for (var h = 0; h < p.Hosts; h++)
        {
            prefixes[h] = $"cpu,host=h{h},region=r{h % p.Regions} usage_user=";
            user[h] = 5 + (rng.Next() * 60);
            sys[h] = 1 + (rng.Next() * 20);
        }

        var suffix = p.Precision switch { "s" => "", "ms" => "000", "us" => "000000", _ => "000000000" };
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var batch = new StringBuilder(p.BatchLines * 80);
        var inBatch = 0;
        var files = 0;
        long bytes = 0;
        var seconds = p.Lines / p.Hosts;
        for (long t = 0; t < seconds; t++)
        {
            var ts = (p.BaseTs + (t * p.IntervalSeconds)).ToString(CultureInfo.InvariantCulture) + suffix;
            for (var h = 0; h < p.Hosts; h++)
            {
                user[h] = Reflect(user[h] + ((rng.Next() - 0.5) * 4), 0, 100);
                sys[h] = Reflect(sys[h] + ((rng.Next() - 0.5) * 2), 0, 50);
                batch.Append(prefixes[h]);
                AppendCents(batch, user[h]);
                if (p.FieldCount == 2)
                {
                    batch.Append(",usage_system=");
                    AppendCents(batch, sys[h]);
                }

                batch.Append(' ').Append(ts).Append('\n');
                if (++inBatch == p.BatchLines)
                {
                    bytes += Flush(dir, files++, batch, sha);
                    inBatch = 0;
                }
            }
        }

        if (inBatch > 0)
        {
            bytes += Flush(dir, files++, batch, sha);
        }

        return (files, bytes, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    private static long Flush(string dir, int index, StringBuilder batch, IncrementalHash sha)
    {
        var data = Encoding.UTF8.GetBytes(batch.ToString());
        File.WriteAllBytes(Path.Combine(dir, $"batch-{index:D6}.lp"), data);
        sha.AppendData(data);
        batch.Clear();
        return data.Length;
    }

    /// <summary>A random walk that bounces off the bounds instead of sticking to them.</summary>
    private static double Reflect(double v, double lo, double hi) =>
        v < lo ? lo + (lo - v) : v > hi ? hi - (v - hi) : v;

    /// <summary>Appends <paramref name="v"/> rounded half-up to 2 decimals, e.g. 35.02.</summary>
    private static void AppendCents(StringBuilder sb, double v)
    {
        var cents = (long)Math.Floor((v * 100) + 0.5);
        sb.Append(cents / 100).Append('.');
        var frac = cents % 100;
        if (frac < 10)
        {
            sb.Append('0');
        }

        sb.Append(frac);
    }

    private sealed class XorShift32(uint seed)
    {
        private uint _state = seed == 0 ? 1 : seed;

        /// <summary>Uniform in [0, 1).</summary>
        public double Next()
        {
            _state ^= _state << 13;
            _state ^= _state >> 17;
            _state ^= _state << 5;
            return _state / 4294967296.0;
        }
    }
}

internal sealed record GenParams(
    long Lines, int Hosts, int Regions, int BatchLines, long BaseTs, uint Seed, string Precision)
{
    /// <summary>Seconds between a host's lines; null = 1 (and then not written into the manifest).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Interval { get; init; }

    /// <summary>Fields per line, 1 (usage_user) or 2; null = 2 (and then not written into the manifest).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Fields { get; init; }

    [JsonIgnore]
    public int IntervalSeconds => Interval ?? 1;

    [JsonIgnore]
    public int FieldCount => Fields ?? 2;
}
