using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Replication.Drivers;
using Replication.Engine.Errors;

namespace Replication.Engine.Drivers.Loading;

/// <summary>
/// Secret settings are given by reference, never in clear: <c>env:NAME</c> names an environment variable of the process
/// that uses the backend, <c>vault:NAME</c> or <c>vault:VAULT/NAME</c> a secret in a SecretManagement vault (the default
/// vault when none is named). The engine reads <c>env:</c> itself; <c>vault:</c> is read by <see cref="VaultReader"/>,
/// which the PowerShell host supplies, so the engine knows no PowerShell. A secret setting holds its reference in
/// state; its value is read only when the driver asks, and never written to state, events or messages.
/// </summary>
public static class SecretReferences
{
    public const string EnvironmentPrefix = "env:";
    public const string VaultPrefix = "vault:";

    private static readonly Regex EnvironmentName = new("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);

    /// <summary>
    /// Reads a secret from a vault: (the vault's name, or null for the default vault; the secret's name) to its value.
    /// Throws with the reason it cannot (the message never holds a value). Null until a host supplies one.
    /// </summary>
    public static Func<string?, string, string>? VaultReader { get; set; }

    /// <summary>True when the text is a reference in the grammar above (whether or not it can be read).</summary>
    public static bool IsReference(string? text) => Parse(text) is not null;

    /// <summary>The value the reference names, read now; SecretUnresolvable (naming the setting and the reference) when it cannot be.</summary>
    public static string Resolve(string backendName, string settingName, string reference)
    {
        var parsed = Parse(reference) ?? throw Unresolvable(backendName, settingName, reference, "it is not a reference (env:NAME or vault:[VAULT/]NAME)");
        if (parsed.Vault is null && parsed.IsEnvironment)
        {
            var value = Environment.GetEnvironmentVariable(parsed.Name);
            return string.IsNullOrEmpty(value) ? throw Unresolvable(backendName, settingName, reference, $"the environment variable {parsed.Name} is not set in this process") : value!;
        }

        var reader = VaultReader ?? throw Unresolvable(backendName, settingName, reference, "vault: references are read through PowerShell's SecretManagement, which this host does not offer");
        try
        {
            var value = reader(parsed.Vault, parsed.Name);
            return string.IsNullOrEmpty(value) ? throw Unresolvable(backendName, settingName, reference, "the vault gave an empty secret") : value;
        }
        catch (Exception ex) when (ex is not ReplicationException)
        {
            throw Unresolvable(backendName, settingName, reference, ex.Message.TrimEnd('.'));
        }
    }

    /// <summary>The resolver a backend's configuration hands its driver.</summary>
    internal static ISecretResolver For(string backendName) => new Resolver(backendName);

    /// <summary>
    /// Refuses settings in which a secret the driver declares holds anything but a reference (SecretInClear, naming the
    /// setting, never what was given), so nothing is stored.
    /// </summary>
    internal static void RequireReferences(DriverInfo driver, IReadOnlyDictionary<string, string> settings, string target)
    {
        foreach (var (name, value) in SecretsAmong(driver, settings))
        {
            if (!IsReference(value))
            {
                throw new ReplicationException(ErrorIds.SecretInClear, ErrorKind.InvalidArgument,
                    $"Setting '{name}' of driver {driver.Name} is a secret: give a reference to it (env:NAME for an environment variable, vault:NAME or vault:VAULT/NAME for a SecretManagement secret), never its value. Nothing was stored or created.",
                    target);
            }
        }
    }

    /// <summary>Reads every secret setting once, so a reference that cannot be read is refused when the backend is defined; the values are dropped.</summary>
    internal static void RequireResolvable(DriverInfo driver, IReadOnlyDictionary<string, string> settings, string backendName)
    {
        RequireReferences(driver, settings, backendName);
        foreach (var (name, reference) in SecretsAmong(driver, settings))
        {
            Resolve(backendName, name, reference);
        }
    }

    private static IEnumerable<(string Name, string Value)> SecretsAmong(DriverInfo driver, IReadOnlyDictionary<string, string> settings) =>
        settings.Where(s => driver.Settings.Any(d => d.Secret && string.Equals(d.Name, s.Key, StringComparison.OrdinalIgnoreCase))).Select(s => (s.Key, s.Value));

    private static Reference? Parse(string? text)
    {
        if (text is null || text.Length > 512 || text.Any(char.IsControl) || text.Trim() != text)
        {
            return null;
        }

        if (text.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var name = text.Substring(EnvironmentPrefix.Length);
            return EnvironmentName.IsMatch(name) ? new Reference(true, null, name) : null;
        }

        if (text.StartsWith(VaultPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var rest = text.Substring(VaultPrefix.Length);
            var slash = rest.IndexOf('/');
            var vault = slash < 0 ? null : rest.Substring(0, slash).Trim();
            var name = slash < 0 ? rest : rest.Substring(slash + 1).Trim();
            return name.Length == 0 || vault is { Length: 0 } ? null : new Reference(false, vault, name);
        }

        return null;
    }

    private static ReplicationException Unresolvable(string backendName, string settingName, string reference, string why) =>
        new(ErrorIds.SecretUnresolvable, ErrorKind.ResourceUnavailable,
            $"Setting '{settingName}' of backend '{backendName}' refers to secret '{reference}', which cannot be read: {why}.", backendName);

    private sealed record Reference(bool IsEnvironment, string? Vault, string Name);

    /// <summary>What a driver's ResolveSecret calls: the failure is carried in a StorageDriverException, so the engine gives it back with its own ErrorId.</summary>
    private sealed class Resolver : ISecretResolver
    {
        private readonly string _backendName;

        public Resolver(string backendName) => _backendName = backendName;

        public string Resolve(string settingName, string reference)
        {
            try
            {
                return SecretReferences.Resolve(_backendName, settingName, reference);
            }
            catch (ReplicationException ex)
            {
                throw new StorageDriverException(DriverErrorIds.InvalidSetting, ex.Message, ex);
            }
        }
    }
}
