using System.Collections.Generic;

namespace Replication.Engine.State.Sql;

/// <summary>Storage drivers registered from their own assemblies (schema 10).</summary>
internal abstract partial class SqlStateSession
{
    public IReadOnlyList<DriverRegistrationRecord> ListDriverRegistrations() =>
        Query($"SELECT name, path, sha256, version, registered_at FROM storage_drivers ORDER BY {ByName("name")};", r => new DriverRegistrationRecord
        {
            Name = r.GetString(0),
            Path = r.GetString(1),
            Sha256 = r.GetString(2),
            Version = r.GetString(3),
            RegisteredAt = DbText.ParseTime(r.GetString(4)),
        });

    public void InsertDriverRegistration(DriverRegistrationRecord registration) => Run(
        "INSERT INTO storage_drivers (name, path, sha256, version, registered_at) VALUES (@name, @path, @sha, @version, @at);",
        ("name", registration.Name), ("path", registration.Path), ("sha", registration.Sha256), ("version", registration.Version),
        ("at", DbText.Time(registration.RegisteredAt)));

    public void DeleteDriverRegistration(string name) => Run("DELETE FROM storage_drivers WHERE name = @name;", ("name", name));
}
