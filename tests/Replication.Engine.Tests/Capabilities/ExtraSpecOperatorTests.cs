using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using Replication.Engine.Capabilities;

namespace Replication.Engine.Tests.Capabilities;

public class ExtraSpecOperatorTests
{
    [Theory]
    [InlineData("lvm", "lvm", true)]
    [InlineData("lvm", "LVM", false)]
    [InlineData("Fast SSD", "Fast SSD", true)]
    [InlineData(true, "True", true)]
    [InlineData(true, "true", false)]
    [InlineData(false, "True", false)]
    [InlineData(false, "False", true)]
    [InlineData(5, "5", true)]
    [InlineData(5L, "5", true)]
    [InlineData(5.0, "5", true)] // shortest round-trip text; Python would write "5.0"
    [InlineData(5.0, "5.0", false)]
    [InlineData(5.5, "5.5", true)]
    [InlineData(5, "6", false)]
    public void Equal_ComparesInvariantText(object capability, string value, bool expected) => AssertAccepts(capability, value, expected);

    [Fact]
    public void Equal_IgnoresCurrentCulture()
    {
        var original = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.True(ExtraSpecRequirement.Parse("ratio", "5.5").Accepts(5.5));
            Assert.True(ExtraSpecRequirement.Parse("ratio", ">= 5.25").Accepts("5.5"));
        }
        finally
        {
            CultureInfo.CurrentCulture = original;
        }
    }

    [Theory]
    [InlineData(4, "= 4", true)]
    [InlineData(5, "= 4", true)] // Cinder's quirk: "=" means at least
    [InlineData(3, "= 4", false)]
    [InlineData("10", "= 4", true)]
    [InlineData(4.5, "= 4.5", true)]
    [InlineData(4.49, "= 4.5", false)]
    [InlineData(1099511627776L, "= 1e12", true)]
    public void AtLeast_IsNumericGreaterOrEqual(object capability, string value, bool expected) => AssertAccepts(capability, value, expected);

    [Theory]
    [InlineData(4, "== 4", true)]
    [InlineData(4.0, "== 4", true)]
    [InlineData("4.0", "== 4", true)]
    [InlineData(" 4 ", "== 4", true)]
    [InlineData(5, "== 4", false)]
    [InlineData(5, "!= 4", true)]
    [InlineData(3, "!= 4", true)]
    [InlineData(4, "!= 4.0", false)]
    [InlineData(5, ">= 5", true)]
    [InlineData("1e3", ">= 100", true)]
    [InlineData(4, ">= 5", false)]
    [InlineData(3, "<= 4", true)]
    [InlineData(-1, "<= -0.5", true)]
    [InlineData(5, "<= 4", false)]
    [InlineData(5.5f, "<= 5.5", true)]
    public void NumericOperators_CompareNumbers(object capability, string value, bool expected) => AssertAccepts(capability, value, expected);

    [Theory]
    [InlineData("= 0", 0)]
    [InlineData("== 1", 1)]
    [InlineData("!= 4", 5)]
    [InlineData(">= 0", 1)]
    [InlineData("<= 100", 1)]
    public void NumericOperators_RejectNonNumericCapabilities(string value, int acceptedNumber)
    {
        var requirement = ExtraSpecRequirement.Parse("capabilities:x", value);

        Assert.True(requirement.Accepts(acceptedNumber));
        Assert.False(requirement.Accepts("lots"));
        Assert.False(requirement.Accepts(true)); // a bool is not a number here
    }

    [Fact]
    public void NumericOperators_AcceptDecimalCapabilities()
    {
        Assert.True(ExtraSpecRequirement.Parse("free_gb", ">= 10.5").Accepts(10.5m));
        Assert.False(ExtraSpecRequirement.Parse("free_gb", ">= 10.5").Accepts(10.4m));
    }

    [Theory]
    [InlineData("abc", "s== abc", true)]
    [InlineData("abd", "s== abc", false)]
    [InlineData(true, "s== True", true)]
    [InlineData("abc", "s!= abd", true)]
    [InlineData("abc", "s!= abc", false)]
    [InlineData("abc", "s< abd", true)]
    [InlineData("abd", "s< abc", false)]
    [InlineData("B", "s< a", true)] // ordinal: upper case sorts first
    [InlineData("10", "s< 9", true)] // text, not numbers
    [InlineData("abc", "s<= abc", true)]
    [InlineData("abd", "s<= abc", false)]
    [InlineData("b", "s> a", true)]
    [InlineData("a", "s> a", false)]
    [InlineData("a", "s>= a", true)]
    [InlineData("a", "s>= b", false)]
    public void StringOperators_CompareOrdinally(object capability, string value, bool expected) => AssertAccepts(capability, value, expected);

    [Theory]
    [InlineData("thin,thick", "<in> thick", true)]
    [InlineData("thin", "<in> thick", false)]
    [InlineData("Thick", "<in> thick", false)]
    [InlineData(12345, "<in> 234", true)]
    [InlineData(12345, "<in> 6", false)]
    public void Contains_FindsSubstringOfText(object capability, string value, bool expected) => AssertAccepts(capability, value, expected);

    [Fact]
    public void Contains_FindsElementOfList()
    {
        var requirement = ExtraSpecRequirement.Parse("capabilities:provisioning", "<in> thick");

        Assert.True(requirement.Accepts(new[] { "thin", "thick" }));
        Assert.False(requirement.Accepts(new[] { "thin", "thickish" })); // an element, not a substring of one
        Assert.False(requirement.Accepts(new List<object?> { null, "thin" }));
        Assert.True(ExtraSpecRequirement.Parse("ports", "<in> 2").Accepts(new List<object?> { 1, null, 2 }));
        Assert.True(ExtraSpecRequirement.Parse("flags", "<in> True").Accepts(new object[] { false, true }));
    }

    [Fact]
    public void Contains_FindsKeyOfMap()
    {
        var requirement = ExtraSpecRequirement.Parse("capabilities:pools", "<in> gold");

        Assert.True(requirement.Accepts(new Dictionary<string, object?> { ["gold"] = 1 }));
        Assert.False(requirement.Accepts(new Dictionary<string, object?> { ["silver"] = "gold" }));
        Assert.True(requirement.Accepts(new Hashtable { ["gold"] = 1 }));
    }

    [Fact]
    public void Contains_FindsKeyOfReadOnlyOnlyMap()
    {
        var requirement = ExtraSpecRequirement.Parse("capabilities:pools", "<in> gold");

        Assert.True(requirement.Accepts(new ReadOnlyMap(("gold", 1))));
        Assert.False(requirement.Accepts(new ReadOnlyMap(("silver", "gold"))));
    }

    [Theory]
    [InlineData(true, "<is> True", true)]
    [InlineData(false, "<is> True", false)]
    [InlineData(false, "<is> False", true)]
    [InlineData(true, "<is> no", false)]
    [InlineData("yes", "<is> True", true)]
    [InlineData("TRUE", "<is> t", true)]
    [InlineData(" on ", "<is> 1", true)]
    [InlineData("True", "<is> False", false)]
    [InlineData("maybe", "<is> False", true)] // oslo reads unknown text as false
    [InlineData("maybe", "<is> True", false)]
    [InlineData("", "<is> False", true)]
    [InlineData(1, "<is> yes", true)]
    [InlineData(0, "<is> yes", false)]
    public void Is_ComparesBooleanReadings(object capability, string value, bool expected) => AssertAccepts(capability, value, expected);

    [Theory]
    [InlineData("silver", "<or> gold <or> silver <or> bronze", true)]
    [InlineData("gold", "<or> gold", true)]
    [InlineData("platinum", "<or> gold <or> silver <or> bronze", false)]
    [InlineData("Gold", "<or> gold <or> silver", false)]
    [InlineData("gold silver", "<or> gold <or> silver", false)]
    [InlineData(true, "<or> True <or> False", true)]
    [InlineData(3, "<or> 1 <or> 3", true)]
    [InlineData(2, "<or> 1 <or> 3", false)]
    public void Or_MatchesAnyAlternative(object capability, string value, bool expected) => AssertAccepts(capability, value, expected);

    [Theory]
    [InlineData("x")]
    [InlineData("= 0")]
    [InlineData("!= 1")]
    [InlineData("s!= x")]
    [InlineData("s>= a")]
    [InlineData("<in> x")]
    [InlineData("<is> False")]
    [InlineData("<or> x <or> y")]
    public void NullCapability_IsNeverAccepted(string value)
    {
        Assert.False(ExtraSpecRequirement.Parse("x", value).Accepts(null));
    }

    private static void AssertAccepts(object capability, string value, bool expected) =>
        Assert.Equal(expected, ExtraSpecRequirement.Parse("capabilities:x", value).Accepts(capability));
}
