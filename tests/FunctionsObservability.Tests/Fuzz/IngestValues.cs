using static FunctionsObservability.Tests.Fuzz.FuzzValues;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>Awkward parts of ingest requests: names, tags, fields, JSON members and documents, headers and parameters.</summary>
internal static class IngestValues
{
    public static readonly string[] OddContentTypes =
    [
        "", "text/plain; charset=utf-16", "application/json; charset=latin1", "TEXT/PLAIN", "Application/JSON", "a/b",
        "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "text/plain;", ";",
        "application/json, text/plain", "*/*", "text", "application/x-ndjson; q=0.5", "application/ndjson;charset=\"x\"",
        "application/jsonl", "application/x-ndjson", "application/json", "text/plain", new('t', 3000),
    ];

    public static readonly string[] IngestQueryNoise =
    [
        "precision=", "precision=h", "precision=NS", "precision=%00", "precision=1", "precision=nanoseconds", "precision=n%C0%AFs",
        "precision=ns&precision=s", "precision", "=ns", "strict=TRUE", "strict=yes", "strict=1", "strict=%00", "strict=",
        "strict=true%20", "strict=true&strict=false", "ack=ASYNC", "ack=Sync", "ack=later", "ack=%00", "ack=async%00",
        "ack=sync&ack=async", "ack=", "org=%zz&bucket=%ED%A0%80", "precision=%zz", "strict=%C0%AF", "ack=" + new string('a', 5000),
        "&&&", "precision=s;strict=true", "x=" + new string('x', 3000), "precision=%E2%80%8Bns", "ack=%FF",
    ];

    public static readonly string[] Measurements =
    [
        new('m', 300), "fz\\ lp", "fz\\,lp", "fz\\", "\"fz\"", "fz_\u00E9\u20AC\U0001F600", "", "#fz", "fz lp", "fz=lp", "fz,=x",
        "\\", "fz\\\\", "fz\\=lp", "fz\tlp", "-", "fz_lp\\ ", "'; DROP TABLE points;--", "fz\u0000lp", "fz_" + new string('\u00E9', 200),
    ];

    public static readonly string[] Tags =
    [
        "", ManyTags(33), ManyTags(500), new string('k', 300) + "=v", "k=" + new string('v', 1100), "=v", "k=", "k", "host=a,host=b",
        "k\\ ey=v\\,al", "k=v\\", "k==v", "k=v=w", ",", "k=v,", "k\\=x=y", "k=\"quoted value\"", "k=\\\\", "host=h\u00E9",
        "host=" + new string('\u00E9', 600), "k=v\u0000", "time=1", "_field=x", "k=v,,j=w", "a.b=x,$=y,[0]=z", "a\"b=x", "a'b=x",
    ];

    public static readonly string[] Fields =
    [
        "v=\"str\"", "v=t", "v=TRUE", "v=f", "v=", "=1", "v=1,v=2", "v=1i", "v=-9223372036854775809i", "v=9223372036854775807i",
        "v=18446744073709551616u", "v=18446744073709551615u", "v=-1u", "v=\"unterminated", "v=1 ,w=2", "v=1,", "v=1,,w=2",
        ManyFields(200), "v\\ x=1", "v=1e400", "v=NaN", "v=-0", "v=Inf", "v=1.5.5", "v=0x1F", "v= 1", "v=1 w=2", "v=1i2",
        new string('f', 300) + "=1", "v=\"a\\\"b\",w=1", "v=1e-400", "v=-1.7976931348623159e308",
    ];

    public static readonly string[] JsonMetrics =
    [
        "\"\"", "\"" + new string('m', 300) + "\"", "\"\\ud800\"", "\"\\udc00\"", "\"a\\ud800b\"", "\"\\ud800\\ud800\"",
        "\"\\udc00\\ud800\"", "\"\\u0000\"", "\"fz\\u0000x\"", "\"\\uZZZZ\"", "\"\\u12\"", "\"a\\\"b\"", "\"fz_\u00E9\u20AC\U0001F600\"",
        "\"'; DROP TABLE points;--\"", "1", "null", "{}", "[]", "true", "\"fz\nx\"", "\"\\\"", "'fz'", "\"\\ud83d\\ude00\"",
        "\"fz_json\",\"metric\":\"fz_other\"", "\"fz_" + new string('\u00E9', 200) + "\"",
    ];

    public static readonly string[] JsonTags =
    [
        "{}", "null", "[]", "\"host\"", "1", ManyJsonTags(33), ManyJsonTags(1000), "{\"" + new string('k', 300) + "\":\"v\"}",
        "{\"k\":\"" + new string('v', 1100) + "\"}", "{\"\":\"x\"}", "{\"k\":\"\"}", "{\"k\":1}", "{\"k\":null}", "{\"k\":{}}",
        "{\"k\":[]}", "{\"k\":true}", "{\"k\":\"a\",\"k\":\"b\"}", "{\"\\ud800\":\"x\"}", "{\"k\":\"\\udc00\"}", "{\"k\":\"\\u0000\"}",
        "{\"k\":" + Deep(1000) + "}", "{\"k\":\"a\",}", "{\"k\"}", "{\"a.b\":\"x\",\"$\":\"y\",\"[0]\":\"z\",\"a\\\"b\":\"q\"}",
    ];

    public static readonly string[] JsonExtras =
    [
        ",\"extra\":1", ",\"value\":2", ",\"metric\":\"fz_other\"", ",\"timestamp\":\"x\"", ",\"x\":" + Deep(1000),
        ",\"x\":" + DeepObject(1000), ",\"tags\":{\"a\":\"b\"}", ",", ",\"\":null", ",\"value\":\"1\"",
    ];

    public static readonly string[] JsonDocuments =
    [
        "[]", "{}", "null", "\"x\"", "1", "{\"points\":null}", "{\"points\":{}}", "{\"points\":[],\"points\":[]}", Deep(1000),
        "{\"points\":" + Deep(1000) + "}", "[1,2,3]", "[null]", "[[]]", "[\"a\"]", "[{}]", "[", "]", "{\"points\":[", DeepObject(1000),
    ];

    public static readonly string[] NdJsonOddLines = ["", " ", "[]", "{}", "null", "1", "{", "}", Deep(1000), "\uFEFF{}", "{\"metric\":"];

    public static string ManyTags(int count) => string.Join(',', Enumerable.Range(0, count).Select(i => $"t{i}=v{i}"));

    public static string ManyFields(int count) => string.Join(',', Enumerable.Range(0, count).Select(i => $"f{i}={i}"));

    public static string ManyJsonTags(int count) => "{" + string.Join(',', Enumerable.Range(0, count).Select(i => $"\"t{i}\":\"v{i}\"")) + "}";
}
