using CaseGrains.Grains.Storage;
using Microsoft.Data.Sqlite;

namespace CaseGrains.Grains.Tests;

public sealed class StorageSchemaTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"casegrains-schema-{Guid.NewGuid():N}.db");

    private string ConnectionString => $"Data Source={_path};Pooling=False";

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Apply_OnANewFileAppliesEveryMigration_AndAgainAppliesNothing()
    {
        var first = SqliteSchema.Apply(ConnectionString);
        var second = SqliteSchema.Apply(ConnectionString);

        Assert.Equal(SqliteSchema.Versions, first);
        Assert.Empty(second);
        Assert.Equal(SqliteSchema.LatestVersion, Scalar("SELECT MAX(version) FROM schema_migrations"));
        Assert.Equal("wal", Text("PRAGMA journal_mode"));
    }

    [Fact]
    public void OrleansQueryTexts_AreThereForEveryStorageKeyTheProviderLoads()
    {
        SqliteSchema.Apply(ConnectionString);

        foreach (var key in new[] { "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey" })
        {
            Assert.Equal(1, Scalar($"SELECT COUNT(*) FROM OrleansQuery WHERE QueryKey = '{key}' AND length(QueryText) > 0"));
        }
    }

    [Theory]
    [InlineData("'nik-abc'")]
    [InlineData("NULL")]
    public void OrleansStorage_RefusesASecondRowForTheSameGrainIdentity(string extension)
    {
        SqliteSchema.Apply(ConnectionString);
        var insert = $"""
            INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString,
                                        ServiceId, PayloadBinary, ModifiedOn, Version)
            VALUES (7, 0, 0, 9, 'registry', {extension}, 'svc', x'01', CURRENT_TIMESTAMP, 1)
            """;
        Execute(insert);

        var ex = Assert.Throws<SqliteException>(() => Execute(insert));

        Assert.Equal(19, ex.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM OrleansStorage"));
    }

    private void Execute(string sql)
    {
        using var conn = new SqliteConnection(ConnectionString);
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private long Scalar(string sql)
    {
        using var conn = new SqliteConnection(ConnectionString);
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }

    private string Text(string sql)
    {
        using var conn = new SqliteConnection(ConnectionString);
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return (string)cmd.ExecuteScalar()!;
    }
}
