using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace CaseGrains.Grains.Storage.Postgres;

/// <summary>
/// The Data Protection key ring in the cluster database, so every silo decrypts the NIKs any silo encrypted and every
/// frontend reads the cookies any frontend issued. (Embedded mode keeps the ring in the data folder.)
/// </summary>
public sealed class PostgresXmlRepository(string connectionString) : IXmlRepository
{
    // The Data Protection API is synchronous.
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var conn = new NpgsqlConnection(connectionString);
        conn.Open();
        using var cmd = new NpgsqlCommand("SELECT xml FROM dataprotection_keys ORDER BY created_at, friendly_name", conn);
        using var reader = cmd.ExecuteReader();
        var list = new List<XElement>();
        while (reader.Read())
        {
            list.Add(XElement.Parse(reader.GetString(0)));
        }

        return list;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var conn = new NpgsqlConnection(connectionString);
        conn.Open();
        using var cmd = new NpgsqlCommand("INSERT INTO dataprotection_keys (friendly_name, xml) VALUES (@name, @xml) ON CONFLICT DO NOTHING", conn);
        cmd.Parameters.AddWithValue("name", friendlyName);
        cmd.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        cmd.ExecuteNonQuery();
    }
}
