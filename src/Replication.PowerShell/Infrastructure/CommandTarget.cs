namespace Replication.PowerShell.Infrastructure;

/// <summary>What a volume cmdlet acts on for one input: a volume, or a whole replication group.</summary>
internal sealed class CommandTarget
{
    private CommandTarget(string name, bool isGroup, string? member)
    {
        Name = name;
        IsGroup = isGroup;
        Member = member;
    }

    /// <summary>The volume's name, or the group's.</summary>
    public string Name { get; }

    public bool IsGroup { get; }

    /// <summary>For a group reached through one of its volumes, that volume; null for a group named with -Group.</summary>
    public string? Member { get; }

    /// <summary>How ShouldProcess and errors name the target.</summary>
    public string Display => Member is null ? Name : $"{Name} (the replication group of {Member})";

    public static CommandTarget Volume(string name) => new(name, isGroup: false, member: null);

    public static CommandTarget Group(string name, string? member = null) => new(name, isGroup: true, member);
}
