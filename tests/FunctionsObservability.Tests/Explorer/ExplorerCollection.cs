namespace FunctionsObservability.Tests.Explorer;

/// <summary>The explorer's browser tests share one service and one chromium, and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ExplorerCollection : ICollectionFixture<ExplorerFixture>
{
    public const string Name = "Explorer";
}
