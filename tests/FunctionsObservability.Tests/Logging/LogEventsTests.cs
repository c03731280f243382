using System.Reflection;
using Microsoft.Extensions.Logging;
using FunctionsEvents = FunctionsObservability.Functions.LogEvents;
using PipelineEvents = FunctionsObservability.Pipeline.LogEvents;

namespace FunctionsObservability.Tests.Logging;

/// <summary>
/// Each project keeps its log event ids in one table (its <c>LogEvents</c> class): an id is in the
/// table once, and every <c>[LoggerMessage]</c> method of the project takes its id from there, so no
/// two events share one. The pipeline's ids stay below 10000 and the app's start at 11000, so an id
/// names one event in the whole process.
/// </summary>
public sealed class LogEventsTests
{
    public static TheoryData<string> Projects => ["Pipeline", "Functions"];

    private static Type Table(string project) => project switch
    {
        "Pipeline" => typeof(PipelineEvents),
        "Functions" => typeof(FunctionsEvents),
        _ => throw new ArgumentOutOfRangeException(nameof(project), project, null),
    };

    private static Dictionary<string, int> Constants(Type table) =>
        table.GetFields(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(static f => f.IsLiteral && f.FieldType == typeof(int))
            .ToDictionary(static f => f.Name, static f => (int)f.GetRawConstantValue()!);

    private static List<(string Method, int EventId)> LoggerMessages(Assembly assembly)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException exception)
        {
            types = [.. exception.Types.OfType<Type>()];
        }

        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        return [.. types
            .SelectMany(type => type.GetMethods(all))
            .Select(static method => (Method: method, Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(static m => m.Attribute is not null)
            .Select(static m => ($"{m.Method.DeclaringType!.FullName}.{m.Method.Name}", m.Attribute!.EventId))];
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Table_NoTwoConstantsShareAnId(string project)
    {
        var constants = Constants(Table(project));

        Assert.NotEmpty(constants);
        var shared = constants.GroupBy(static c => c.Value).Where(static g => g.Count() > 1)
            .Select(static g => $"{g.Key}: {string.Join(", ", g.Select(static c => c.Key))}");
        Assert.Empty(shared);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void LoggerMessages_TakeTheirIdFromTheTable(string project)
    {
        var table = Table(project);
        var ids = Constants(table).Values.ToHashSet();
        var messages = LoggerMessages(table.Assembly);

        Assert.NotEmpty(messages);
        var outside = messages.Where(m => !ids.Contains(m.EventId)).Select(static m => $"{m.Method} = {m.EventId}");
        Assert.Empty(outside);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void LoggerMessages_NoTwoShareAnId(string project)
    {
        var messages = LoggerMessages(Table(project).Assembly);

        var shared = messages.GroupBy(static m => m.EventId).Where(static g => g.Count() > 1)
            .Select(static g => $"{g.Key}: {string.Join(", ", g.Select(static m => m.Method))}");
        Assert.Empty(shared);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Table_EveryIdIsLogged(string project)
    {
        var table = Table(project);
        var logged = LoggerMessages(table.Assembly).Select(static m => m.EventId).ToHashSet();

        var unused = Constants(table).Where(c => !logged.Contains(c.Value)).Select(static c => $"{c.Key} = {c.Value}");
        Assert.Empty(unused);
    }

    [Fact]
    public void Tables_OfTheTwoProjects_DoNotOverlap()
    {
        var pipeline = Constants(typeof(PipelineEvents)).Values;
        var functions = Constants(typeof(FunctionsEvents)).Values;

        Assert.All(pipeline, id => Assert.InRange(id, 1, 9_999));
        Assert.All(functions, id => Assert.InRange(id, 10_000, 19_999));
    }
}
