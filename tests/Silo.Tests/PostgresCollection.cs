namespace CaseGrains.Silo.Tests;

/// <summary>The test classes of this assembly that share one PostgreSQL server (tests/Support/PostgresServer.cs).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
