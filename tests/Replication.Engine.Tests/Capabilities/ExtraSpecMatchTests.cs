using System;
using System.Collections;
using System.Collections.Generic;
using Replication.Engine.Capabilities;

namespace Replication.Engine.Tests.Capabilities;

public class ExtraSpecMatchTests
{
    [Fact]
    public void ScopedKey_MatchesTheNamedCapability()
    {
        var requirement = ExtraSpecRequirement.Parse("capabilities:replication", "<is> True");

        var match = requirement.Match(Capabilities(("replication", true)));

        Assert.True(match.IsSatisfied);
        Assert.Null(match.Reason);
    }

    [Fact]
    public void ScopedKey_ReportsTheMismatchingValue()
    {
        var match = ExtraSpecRequirement.Parse("capabilities:replication", "<is> True").Match(Capabilities(("replication", false)));

        Assert.False(match.IsSatisfied);
        Assert.Equal("reports replication=False", match.Reason);
    }

    [Fact]
    public void IsOnTextCapability_ReadsTheTextAsABoolean()
    {
        var requirement = ExtraSpecRequirement.Parse("capabilities:multiattach", "<is> True");

        Assert.True(requirement.Match(Capabilities(("multiattach", "yes"))).IsSatisfied);
        Assert.False(requirement.Match(Capabilities(("multiattach", "enabled"))).IsSatisfied);
    }

    [Theory]
    [InlineData("lvm", true, null)]
    [InlineData("nfs", false, "reports volume_backend_name=nfs")]
    public void UnscopedKey_MatchesTheTopLevelCapability(string reported, bool satisfied, string? reason)
    {
        var match = ExtraSpecRequirement.Parse("volume_backend_name", "lvm").Match(Capabilities(("volume_backend_name", reported)));

        Assert.Equal(satisfied, match.IsSatisfied);
        Assert.Equal(reason, match.Reason);
    }

    [Fact]
    public void KeyOfAnotherScope_IsAlwaysSatisfied()
    {
        var requirement = ExtraSpecRequirement.Parse("replication:type", "<in> async");

        Assert.True(requirement.Match(Capabilities()).IsSatisfied);
        Assert.True(requirement.Match(Capabilities(("type", "sync"), ("replication:type", "sync"))).IsSatisfied);
    }

    [Fact]
    public void MissingCapability_IsNotSatisfied()
    {
        var match = ExtraSpecRequirement.Parse("capabilities:tier", "gold").Match(Capabilities(("replication", true)));

        Assert.False(match.IsSatisfied);
        Assert.Equal("does not report capability 'tier'", match.Reason);
    }

    [Fact]
    public void NullCapability_IsNotSatisfied()
    {
        var match = ExtraSpecRequirement.Parse("capabilities:tier", "s!= gold").Match(Capabilities(("tier", null)));

        Assert.False(match.IsSatisfied);
        Assert.Equal("reports no value for 'tier'", match.Reason);
    }

    [Fact]
    public void NonNumericCapabilityForNumericOperator_SaysSo()
    {
        var match = ExtraSpecRequirement.Parse("capabilities:free_gb", ">= 10").Match(Capabilities(("free_gb", "unknown")));

        Assert.False(match.IsSatisfied);
        Assert.Equal("reports free_gb=unknown, which is not a number", match.Reason);
    }

    [Fact]
    public void AtLeast_MatchesLargerCapabilities()
    {
        var requirement = ExtraSpecRequirement.Parse("capabilities:free_gb", "= 100");

        Assert.True(requirement.Match(Capabilities(("free_gb", 250))).IsSatisfied);
        Assert.Equal("reports free_gb=99.5", requirement.Match(Capabilities(("free_gb", 99.5))).Reason);
    }

    [Fact]
    public void NestedPath_WalksNestedMaps()
    {
        var requirement = ExtraSpecRequirement.Parse("capabilities:pools:gold:free_gb", ">= 100");
        IReadOnlyDictionary<string, object?> Pools(int freeGb) =>
            Capabilities(("pools", Capabilities(("gold", Capabilities(("free_gb", freeGb))))));

        Assert.True(requirement.Match(Pools(150)).IsSatisfied);
        Assert.Equal("reports pools:gold:free_gb=50", requirement.Match(Pools(50)).Reason);
    }

    [Fact]
    public void NestedPath_WalksHashtablesAndTypedDictionaries()
    {
        var requirement = ExtraSpecRequirement.Parse("capabilities:pools:gold:tier", "fast");
        var pools = new Hashtable { ["gold"] = new Dictionary<string, string> { ["tier"] = "fast" } };

        Assert.True(requirement.Match(Capabilities(("pools", pools))).IsSatisfied);
    }

    [Fact]
    public void NestedPath_WalksReadOnlyOnlyMaps()
    {
        var requirement = ExtraSpecRequirement.Parse("capabilities:pools:gold", "fast");

        Assert.True(requirement.Match(new ReadOnlyMap(("pools", new ReadOnlyMap(("gold", "fast"))))).IsSatisfied);
        Assert.False(requirement.Match(new ReadOnlyMap(("pools", new ReadOnlyMap(("gold", "slow"))))).IsSatisfied);
    }

    [Fact]
    public void NestedPath_NamesWhereTheWalkStopped()
    {
        var requirement = ExtraSpecRequirement.Parse("capabilities:pools:gold:free_gb", ">= 100");

        Assert.Equal("does not report capability 'pools'", requirement.Match(Capabilities()).Reason);
        Assert.Equal("does not report capability 'pools:gold'", requirement.Match(Capabilities(("pools", Capabilities(("silver", 1))))).Reason);
        Assert.Equal("does not report capability 'pools:gold'", requirement.Match(Capabilities(("pools", "not a map"))).Reason);
        Assert.Equal(
            "does not report capability 'pools:gold:free_gb'",
            requirement.Match(Capabilities(("pools", Capabilities(("gold", Capabilities(("total_gb", 500))))))).Reason);
    }

    [Fact]
    public void ListCapability_IsShownAsAList()
    {
        var match = ExtraSpecRequirement.Parse("capabilities:provisioning", "<in> thick").Match(Capabilities(("provisioning", new[] { "thin", "compressed" })));

        Assert.False(match.IsSatisfied);
        Assert.Equal("reports provisioning=[thin, compressed]", match.Reason);
    }

    [Fact]
    public void MapCapability_IsShownAsAMap()
    {
        var match = ExtraSpecRequirement.Parse("capabilities:pools", "<in> gold").Match(Capabilities(("pools", Capabilities(("silver", 1), ("bronze", null)))));

        Assert.False(match.IsSatisfied);
        Assert.Equal("reports pools={silver: 1, bronze: null}", match.Reason);
    }

    [Fact]
    public void NullCapabilities_AreAProgrammingError()
    {
        Assert.Throws<ArgumentNullException>(() => ExtraSpecRequirement.Parse("tier", "gold").Match(null!));
    }

    [Fact]
    public void CapabilityMatch_DescribesItself()
    {
        Assert.Equal("satisfied", CapabilityMatch.Satisfied.ToString());
        Assert.Equal("not satisfied: reports tier=bronze", CapabilityMatch.NotSatisfied("reports tier=bronze").ToString());
    }

    private static IReadOnlyDictionary<string, object?> Capabilities(params (string Name, object? Value)[] entries)
    {
        var capabilities = new Dictionary<string, object?>();
        foreach (var (name, value) in entries)
        {
            capabilities[name] = value;
        }

        return capabilities;
    }
}
