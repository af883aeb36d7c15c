namespace Replication.Drivers;

/// <summary>
/// Turns the reference a secret setting holds (<c>env:NAME</c>, <c>vault:VAULT/NAME</c>) into the secret's value, when a
/// driver asks through <see cref="BackendConfiguration.ResolveSecret"/>. The engine supplies it; a driver never does.
/// </summary>
public interface ISecretResolver
{
    /// <summary>
    /// The value the reference names, read now. Throws a <see cref="StorageDriverException"/> whose message names the
    /// setting and the reference (never a value) when it cannot be read.
    /// </summary>
    string Resolve(string settingName, string reference);
}
