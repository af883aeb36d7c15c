using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Reflection;

namespace Replication.PowerShell.Tests;

/// <summary>What every cmdlet of the module declares: names, ShouldProcess, ConfirmImpact, OutputType, the manifest's export list.</summary>
public sealed class ModuleConventionTests
{
    private static readonly string[] StateChangingVerbs = { "New", "Add", "Remove", "Set", "Copy", "Sync", "Invoke", "Enable", "Disable", "Repair", "Test", "Suspend", "Resume", "Start", "Stop", "Register", "Unregister", "Resize", "Move" };

    public static IEnumerable<object[]> Cmdlets => CmdletHost.CmdletTypes.Select(t => new object[] { CmdletHost.CmdletName(t) });

    [Fact]
    public void The_assembly_has_the_cmdlets_of_the_story()
    {
        var names = CmdletHost.CmdletTypes.Select(CmdletHost.CmdletName).ToList();
        foreach (var expected in new[]
                 {
                     "New-StorageBackend", "Get-StorageBackend", "New-VolumeType", "New-ReplicatedVolumeType", "Get-VolumeType", "Remove-VolumeType",
                     "New-Volume", "Get-Volume", "Remove-Volume", "Get-VolumeConnection", "Get-VolumeReplica", "Sync-VolumeReplica",
                     "Invoke-ReplicaPromotion", "Enable-Replication", "Disable-Replication", "Get-ReplicationEvent", "Set-ReplicationStateStore",
                 })
        {
            Assert.Contains(expected, names);
        }
    }

    [Fact]
    public void Every_name_in_CmdletsToExport_has_a_cmdlet_class_and_every_cmdlet_class_is_exported()
    {
        var exported = ManifestValue("CmdletsToExport");
        Assert.NotEmpty(exported);
        Assert.DoesNotContain(exported, name => WildcardPattern.ContainsWildcardCharacters(name));
        Assert.Equal(exported.Count, exported.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var implemented = CmdletHost.CmdletTypes.Select(CmdletHost.CmdletName).ToList();

        var exportedWithoutClass = exported.Except(implemented, StringComparer.OrdinalIgnoreCase).ToList();
        var classesNotExported = implemented.Except(exported, StringComparer.OrdinalIgnoreCase).ToList();
        Assert.True(exportedWithoutClass.Count == 0, "Exported without a cmdlet class: " + string.Join(", ", exportedWithoutClass));
        Assert.True(classesNotExported.Count == 0, "Cmdlet classes not exported: " + string.Join(", ", classesNotExported));
    }

    [Fact]
    public void The_manifest_loads_the_format_and_type_files_that_exist()
    {
        var formats = ManifestValue("FormatsToProcess");
        var types = ManifestValue("TypesToProcess");
        Assert.Contains("Replication.PowerShell.Format.ps1xml", formats);
        Assert.Contains("Replication.PowerShell.Types.ps1xml", types);
        foreach (var file in formats.Concat(types))
        {
            Assert.True(File.Exists(Path.Combine(CmdletHost.RepoRoot, "module", file)), $"module/{file} is missing");
        }
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Every_cmdlet_declares_a_non_empty_OutputType(string cmdlet)
    {
        var type = TypeOf(cmdlet);
        var outputTypes = type.GetCustomAttributes<OutputTypeAttribute>().SelectMany(a => a.Type).ToList();
        Assert.NotEmpty(outputTypes);
        Assert.All(outputTypes, t => Assert.NotNull(t.Type));
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Every_cmdlet_uses_an_approved_verb_and_is_a_sealed_VerbNounCommand_class(string cmdlet)
    {
        var type = TypeOf(cmdlet);
        var attribute = type.GetCustomAttribute<CmdletAttribute>()!;
        Assert.Contains(attribute.VerbName, ApprovedVerbs());
        Assert.True(type.IsSealed, $"{type.Name} is not sealed");
        Assert.Equal($"{attribute.VerbName}{attribute.NounName}Command", type.Name);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Every_cmdlet_with_a_state_changing_verb_supports_ShouldProcess(string cmdlet)
    {
        var attribute = TypeOf(cmdlet).GetCustomAttribute<CmdletAttribute>()!;
        if (StateChangingVerbs.Contains(attribute.VerbName))
        {
            Assert.True(attribute.SupportsShouldProcess, $"{cmdlet} changes state but has no -WhatIf/-Confirm");
        }
        else
        {
            Assert.Contains(attribute.VerbName, new[] { "Get", "Measure" });
        }
    }

    [Theory]
    [InlineData("Remove-Volume")]
    [InlineData("Invoke-ReplicaPromotion")]
    [InlineData("Enable-Replication")]
    [InlineData("Set-Volume")]
    public void Cmdlets_that_destroy_or_overwrite_data_are_ConfirmImpact_High_with_a_Force_switch(string cmdlet)
    {
        var type = TypeOf(cmdlet);
        var attribute = type.GetCustomAttribute<CmdletAttribute>()!;
        Assert.True(attribute.SupportsShouldProcess);
        Assert.Equal(ConfirmImpact.High, attribute.ConfirmImpact);
        var force = type.GetProperty("Force");
        Assert.NotNull(force);
        Assert.Equal(typeof(SwitchParameter), force!.PropertyType);
        Assert.NotNull(force.GetCustomAttribute<ParameterAttribute>());
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Switches_are_SwitchParameter_never_bool(string cmdlet)
    {
        var parameters = TypeOf(cmdlet).GetProperties().Where(p => p.GetCustomAttributes<ParameterAttribute>().Any()).ToList();
        Assert.DoesNotContain(parameters, p => p.PropertyType == typeof(bool) || p.PropertyType == typeof(bool?));
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Every_parameter_set_with_values_takes_pipeline_input(string cmdlet)
    {
        var parameters = TypeOf(cmdlet).GetProperties()
            .SelectMany(p => p.GetCustomAttributes<ParameterAttribute>().Select(a => (Property: p, Attribute: a)))
            .ToList();
        if (parameters.Count == 0)
        {
            return;
        }

        var sets = parameters.Select(p => p.Attribute.ParameterSetName).Where(s => s != ParameterAttribute.AllParameterSets).Distinct().DefaultIfEmpty(ParameterAttribute.AllParameterSets);
        foreach (var set in sets)
        {
            var inSet = parameters.Where(p => p.Attribute.ParameterSetName == set || p.Attribute.ParameterSetName == ParameterAttribute.AllParameterSets).ToList();
            if (inSet.All(p => p.Property.PropertyType == typeof(SwitchParameter)))
            {
                // A set of switches only (Set-ReplicationStateStore -Default) has nothing to take from the pipeline.
                continue;
            }

            Assert.True(
                parameters.Any(p => (p.Attribute.ParameterSetName == set || p.Attribute.ParameterSetName == ParameterAttribute.AllParameterSets)
                                    && (p.Attribute.ValueFromPipeline || p.Attribute.ValueFromPipelineByPropertyName)),
                $"{cmdlet}: parameter set '{set}' takes no pipeline input");
        }
    }

    internal static Type TypeOf(string cmdlet) =>
        CmdletHost.CmdletTypes.Single(t => string.Equals(CmdletHost.CmdletName(t), cmdlet, StringComparison.OrdinalIgnoreCase));

    private static IReadOnlyList<string> ManifestValue(string key)
    {
        var path = Path.Combine(CmdletHost.RepoRoot, "module", "Replication.PowerShell.psd1");
        var ast = Parser.ParseFile(path, out _, out var errors);
        Assert.Empty(errors);
        var table = (Hashtable)ast.Find(a => a is HashtableAst, searchNestedScriptBlocks: false)!.SafeGetValue();
        Assert.True(table.ContainsKey(key), $"The manifest has no {key}");
        return table[key] switch
        {
            object[] list => list.Select(o => o.ToString()!).ToList(),
            string single => new[] { single },
            var other => throw new InvalidDataException($"{key} is a {other?.GetType().Name}"),
        };
    }

    private static HashSet<string> ApprovedVerbs() =>
        new[] { typeof(VerbsCommon), typeof(VerbsData), typeof(VerbsLifecycle), typeof(VerbsDiagnostic), typeof(VerbsCommunications), typeof(VerbsSecurity), typeof(VerbsOther) }
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Select(f => (string)f.GetValue(null)!)
            .ToHashSet(StringComparer.Ordinal);
}
