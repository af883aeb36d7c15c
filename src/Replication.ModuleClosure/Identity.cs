using System.Reflection;

namespace Replication.ModuleClosure;

/// <summary>Comparisons of assembly identities as .NET Framework's binder makes them.</summary>
internal static class Identity
{
    /// <summary>The same name, culture, public key token and version.</summary>
    public static bool Same(AssemblyName a, AssemblyName b) =>
        string.Equals(a.Name, b.Name, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.CultureName ?? "", b.CultureName ?? "", StringComparison.OrdinalIgnoreCase)
        && SameToken(a, b)
        && a.Version == b.Version;

    public static bool SameToken(AssemblyName a, AssemblyName b) => Token(a) == Token(b);

    /// <summary>A strong name binds by exact version; a simple name (no public key token) by name alone.</summary>
    public static bool IsStrongNamed(AssemblyName name) => Token(name) != "";

    public static string Token(AssemblyName name) => Convert.ToHexString(name.GetPublicKeyToken() ?? Array.Empty<byte>()).ToLowerInvariant();

    public static string Display(AssemblyName name) => $"{name.Name} {name.Version}";
}
