namespace FunctionsObservability.Tests.Infrastructure;

/// <summary>Where the repository and the service's build output are, seen from the test binaries.</summary>
public static class RepositoryPaths
{
    private static readonly DirectoryInfo TestOutput = new(AppContext.BaseDirectory);

    /// <summary>Debug or Release: the configuration the tests were built in.</summary>
    public static string Configuration => TestOutput.Parent!.Name;

    /// <summary>tests/FunctionsObservability.Tests/bin/{Configuration}/net10.0 is five levels below the root.</summary>
    public static string Root { get; } = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));

    public static string FunctionsFolder => Path.Combine(Root, "functions");
}
