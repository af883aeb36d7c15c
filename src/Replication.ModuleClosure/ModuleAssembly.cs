using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Replication.ModuleClosure;

/// <summary>An assembly in the module folder: who it is, which runtime it was built for, and what it references.</summary>
internal sealed record ModuleAssembly(string Path, string RelativePath, AssemblyName Identity, string TargetFramework, IReadOnlyList<AssemblyName> References)
{
    /// <summary>Built for .NET (Core) only: Windows PowerShell never loads it.</summary>
    public bool IsDotNetCoreOnly => TargetFramework.StartsWith(".NETCoreApp", StringComparison.Ordinal);

    /// <summary>The assembly in the file, or null when the file holds no .NET metadata (a native library).</summary>
    public static ModuleAssembly? Read(string path, string moduleFolder)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata)
        {
            return null;
        }

        var reader = pe.GetMetadataReader();
        if (!reader.IsAssembly)
        {
            return null;
        }

        var references = reader.AssemblyReferences.Select(handle => reader.GetAssemblyReference(handle).GetAssemblyName()).ToList();
        return new ModuleAssembly(path, System.IO.Path.GetRelativePath(moduleFolder, path).Replace('\\', '/'),
            reader.GetAssemblyDefinition().GetAssemblyName(), TargetFrameworkOf(reader), references);
    }

    /// <summary>The name in the assembly's TargetFrameworkAttribute (".NETStandard,Version=v2.0"), or "" when it has none.</summary>
    private static string TargetFrameworkOf(MetadataReader reader)
    {
        foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            if (AttributeTypeName(reader, attribute) != "System.Runtime.Versioning.TargetFrameworkAttribute")
            {
                continue;
            }

            var value = reader.GetBlobReader(attribute.Value);
            value.ReadUInt16();   // the custom attribute blob's prolog
            return value.ReadSerializedString() ?? "";
        }

        return "";
    }

    private static string AttributeTypeName(MetadataReader reader, CustomAttribute attribute)
    {
        var type = attribute.Constructor.Kind switch
        {
            HandleKind.MemberReference => reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent,
            HandleKind.MethodDefinition => reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType(),
            _ => default,
        };
        return type.Kind switch
        {
            HandleKind.TypeReference => Qualified(reader, reader.GetTypeReference((TypeReferenceHandle)type).Namespace, reader.GetTypeReference((TypeReferenceHandle)type).Name),
            HandleKind.TypeDefinition => Qualified(reader, reader.GetTypeDefinition((TypeDefinitionHandle)type).Namespace, reader.GetTypeDefinition((TypeDefinitionHandle)type).Name),
            _ => "",
        };
    }

    private static string Qualified(MetadataReader reader, StringHandle ns, StringHandle name) => reader.GetString(ns) + "." + reader.GetString(name);
}
