namespace Replication.HelpCompiler.Tests;

/// <summary>Markdown as PlatyPS writes it (schema 2.0.0), complete, for tests to compile or to break on purpose.</summary>
internal static class SampleDocs
{
    public const string NewVolume = """
        ---
        external help file: Replication.PowerShell.dll-Help.xml
        Module Name: Replication.PowerShell
        online version: https://example.org/help/New-Volume
        schema: 2.0.0
        ---

        # New-Volume

        ## SYNOPSIS
        Creates a volume.

        ## SYNTAX

        ### New (Default)
        ```
        New-Volume [-Name] <String> -SizeBytes <Int64> -VolumeType <String> [-WhatIf] [<CommonParameters>]
        ```

        ### FromReplica
        ```
        New-Volume [[-Name] <String>] -SourceReplica <String> [-WhatIf] [<CommonParameters>]
        ```

        ## DESCRIPTION
        The `New-Volume` cmdlet creates a volume of a **volume type**
        on a matching backend.

        - one
        - two

        ## EXAMPLES

        ### Example 1: Create a volume
        ```powershell
        New-Volume -Name db01 -SizeBytes 10GB -VolumeType gold
        ```

        Creates db01.

        ### Example 2: Clone a replica
        ```powershell
        New-Volume -Name db01-test -SourceReplica db01
        ```

        ## PARAMETERS

        ### -Name
        The name of the volume.

        ```yaml
        Type: String
        Parameter Sets: New
        Aliases:

        Required: True
        Position: 0
        Default value: None
        Accept pipeline input: True (ByPropertyName)
        Accept wildcard characters: False
        ```

        ```yaml
        Type: String
        Parameter Sets: FromReplica
        Aliases:

        Required: False
        Position: 0
        Default value: None
        Accept pipeline input: True (ByPropertyName)
        Accept wildcard characters: False
        ```

        ### -SizeBytes
        The size in bytes.

        ```yaml
        Type: Int64
        Parameter Sets: New
        Aliases:

        Required: True
        Position: Named
        Default value: None
        Accept pipeline input: True (ByPropertyName)
        Accept wildcard characters: False
        ```

        ### -VolumeType
        The volume type.

        ```yaml
        Type: String
        Parameter Sets: New
        Aliases: Type
        Accepted values: gold, silver

        Required: True
        Position: Named
        Default value: None
        Accept pipeline input: True (ByPropertyName)
        Accept wildcard characters: True
        ```

        ### -SourceReplica
        The volume whose replica is cloned.

        ```yaml
        Type: String
        Parameter Sets: FromReplica
        Aliases:

        Required: True
        Position: Named
        Default value: None
        Accept pipeline input: True (ByPropertyName)
        Accept wildcard characters: False
        ```

        ### -WhatIf
        Shows what would happen if the cmdlet runs.

        ```yaml
        Type: SwitchParameter
        Parameter Sets: (All)
        Aliases: wi

        Required: False
        Position: Named
        Default value: None
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### CommonParameters
        This cmdlet supports the common parameters. For more information, see [about_CommonParameters](http://go.microsoft.com/fwlink/?LinkID=113216).

        ## INPUTS

        ### System.String
        The name, by property name.

        ## OUTPUTS

        ### Replication.Engine.Model.Volume
        The new volume.

        ## NOTES
        Needs both backends online.

        ## RELATED LINKS

        [Get-Volume](Get-Volume.md)

        [Replication guide](https://example.org/guide)
        """;

    public const string AboutTopic = """
        # about_Replication_PowerShell

        ## SHORT DESCRIPTION
        Describes volume replication.

        ## LONG DESCRIPTION
        Replication.PowerShell manages `OpenStack Cinder`-style volume replication between **storage backends**, with placement by capability and failover by promotion.

        ### Failover
        - Promote the replica.
        - Re-enable replication, which resyncs the old primary from the new one.

        ```powershell
        Get-Volume db* | Get-VolumeReplica | Invoke-ReplicaPromotion -Force
        ```

        ## SEE ALSO
        Get-Help New-Volume
        """;

    /// <summary>The sample with one "## NAME" section, heading and body, taken out.</summary>
    public static string WithoutSection(string markdown, string section)
    {
        var start = markdown.IndexOf($"## {section}\n", StringComparison.Ordinal);
        var end = markdown.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        return markdown[..start] + (end < 0 ? "" : markdown[(end + 1)..]);
    }
}
