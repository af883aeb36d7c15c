using System.Linq;
using Replication.Engine.Capabilities;
using Replication.Engine.Errors;

namespace Replication.Engine.Tests.Capabilities;

public class ExtraSpecRequirementTests
{
    [Theory]
    [InlineData("capabilities:replication", "capabilities", "replication", true)]
    [InlineData("capabilities:pools:gold:free_gb", "capabilities", "pools|gold|free_gb", true)]
    [InlineData("volume_backend_name", null, "volume_backend_name", true)]
    [InlineData("capabilities", null, "capabilities", true)]
    [InlineData("replication:type", "replication", "", false)]
    [InlineData("RESKEY:availability_zones", "RESKEY", "", false)]
    [InlineData("Capabilities:replication", "Capabilities", "", false)] // Cinder's scope match is case-sensitive
    public void Key_IsSplitIntoScopeAndCapabilityPath(string key, string? scope, string path, bool applies)
    {
        var requirement = ExtraSpecRequirement.Parse(key, "x");

        Assert.Equal(key, requirement.Key);
        Assert.Equal(scope, requirement.Scope);
        Assert.Equal(path.Split('|', System.StringSplitOptions.RemoveEmptyEntries), requirement.CapabilityPath);
        Assert.Equal(applies, requirement.AppliesToCapabilities);
    }

    [Theory]
    [InlineData("= 4", SpecOperator.AtLeast)]
    [InlineData("== 4", SpecOperator.NumericEqual)]
    [InlineData("!= 4", SpecOperator.NumericNotEqual)]
    [InlineData(">= 4", SpecOperator.NumericGreaterOrEqual)]
    [InlineData("<= 4", SpecOperator.NumericLessOrEqual)]
    [InlineData("s== 4", SpecOperator.StringEqual)]
    [InlineData("s!= 4", SpecOperator.StringNotEqual)]
    [InlineData("s< 4", SpecOperator.StringLess)]
    [InlineData("s<= 4", SpecOperator.StringLessOrEqual)]
    [InlineData("s> 4", SpecOperator.StringGreater)]
    [InlineData("s>= 4", SpecOperator.StringGreaterOrEqual)]
    [InlineData("<in> 4", SpecOperator.Contains)]
    [InlineData("<is> 1", SpecOperator.Is)]
    [InlineData("<or> 4", SpecOperator.Or)]
    public void OperatorWord_SelectsOperatorAndOperand(string value, SpecOperator expected)
    {
        var requirement = ExtraSpecRequirement.Parse("capabilities:x", value);

        Assert.Equal(expected, requirement.Operator);
        Assert.Equal(value.Split(' ')[1], Assert.Single(requirement.Operands));
        Assert.Equal(value, requirement.Value);
    }

    [Theory]
    [InlineData("lvm")]
    [InlineData("Fast SSD")]
    [InlineData("True")]
    [InlineData("a <or> b")] // an operator word only counts first
    public void ValueWithoutOperatorWord_IsPlainEqualityWithTheWholeValue(string value)
    {
        var requirement = ExtraSpecRequirement.Parse("tier", value);

        Assert.Equal(SpecOperator.Equal, requirement.Operator);
        Assert.Equal(value, Assert.Single(requirement.Operands));
    }

    [Fact]
    public void Or_CollectsEveryAlternative()
    {
        var requirement = ExtraSpecRequirement.Parse("capabilities:tier", "<or> gold <or> silver <or> bronze");

        Assert.Equal(SpecOperator.Or, requirement.Operator);
        Assert.Equal(new[] { "gold", "silver", "bronze" }, requirement.Operands);
    }

    [Fact]
    public void ExtraWhitespace_SeparatesWordsOnly()
    {
        var requirement = ExtraSpecRequirement.Parse("capabilities:replication", "  <is> \u00A0 True ");

        Assert.Equal(SpecOperator.Is, requirement.Operator);
        Assert.Equal("True", Assert.Single(requirement.Operands));
        Assert.Equal("  <is> \u00A0 True ", requirement.Value);
    }

    [Fact]
    public void ToString_IsKeyEqualsValue()
    {
        Assert.Equal("capabilities:replication=<is> True", ExtraSpecRequirement.Parse("capabilities:replication", "<is> True").ToString());
    }

    [Theory]
    [InlineData("capabilities:pool-2.gold/fast_tier", "pool-2.gold/fast_tier")]
    [InlineData("QoS_support", "QoS_support")]
    public void KeyWithCindersPunctuationAndDigits_IsAccepted(string key, string lastPart)
    {
        Assert.Equal(lastPart, ExtraSpecRequirement.Parse(key, "x").CapabilityPath[^1]);
    }

    [Fact]
    public void KeyAndValueOfMaximumLength_AreAccepted()
    {
        var key = new string('k', 255);
        var value = new string('v', 255);

        var requirement = ExtraSpecRequirement.Parse(key, value);

        Assert.Equal(key, requirement.Key);
        Assert.Equal(value, requirement.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData(":")]
    [InlineData("capabilities:")]
    [InlineData(":replication")]
    [InlineData("capabilities::replication")]
    [InlineData("free gb")]
    [InlineData("free\tgb")]
    [InlineData("free_gb\n")]
    [InlineData("free\u200Bgb")]
    [InlineData("fr\u00E9e_gb")]
    [InlineData("free$gb")]
    public void InvalidKey_IsRejected(string key) => AssertInvalid(key, "x");

    [Fact]
    public void OverlongKey_IsRejected() => AssertInvalid(new string('k', 256), "x");

    [Fact]
    public void NullKey_IsRejected() => AssertInvalid(null!, "x", expectedTarget: "");

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("True\n")]
    [InlineData("Tr\u0000ue")]
    [InlineData("gold\u202E")]
    public void EmptyValueOrInvisibleCharacters_AreRejected(string value) => AssertInvalid("capabilities:tier", value);

    [Fact]
    public void OverlongValue_IsRejected() => AssertInvalid("capabilities:tier", new string('v', 256));

    [Fact]
    public void NullValue_IsRejected() => AssertInvalid("capabilities:tier", null!);

    [Theory]
    [InlineData("<is>")]
    [InlineData("<in>")]
    [InlineData("=")]
    [InlineData("==")]
    [InlineData("s==")]
    [InlineData("s>=")]
    [InlineData("<is> True False")]
    [InlineData("<in> thin thick")]
    [InlineData("= 4 5")]
    [InlineData(">= 4 GB")]
    [InlineData("s< a b")]
    public void OperatorWithoutExactlyOneOperand_IsRejected(string value) => AssertInvalid("capabilities:x", value);

    [Theory]
    [InlineData("<is> maybe")]
    [InlineData("<is> 2")]
    [InlineData("<is> enabled")]
    [InlineData("= four")]
    [InlineData("== 1,000")]
    [InlineData("!= 0x10")]
    [InlineData(">= NaN")]
    [InlineData("<= Infinity")]
    [InlineData(">= -Infinity")]
    public void OperandUnfitForItsOperator_IsRejected(string value) => AssertInvalid("capabilities:x", value);

    [Theory]
    [InlineData("<or>")]
    [InlineData("<or> a <or>")]
    [InlineData("<or> a b")]
    [InlineData("<or> a <or> b c")]
    [InlineData("<or> <or> a")]
    [InlineData("<or> a <or> <or> b")]
    public void MalformedAlternation_IsRejected(string value) => AssertInvalid("capabilities:tier", value);

    [Theory]
    [InlineData("<IS> True")]
    [InlineData("<is>True")]
    [InlineData(">=5")]
    [InlineData("=5")]
    [InlineData("S== gold")]
    [InlineData("s==gold")]
    [InlineData("> 5")]
    [InlineData("< 5")]
    [InlineData("!x")]
    public void MistypedOperator_IsRejected(string value) => AssertInvalid("capabilities:x", value);

    [Fact]
    public void Error_NamesKeyValueAndProblem()
    {
        var error = AssertInvalid("capabilities:replication", "<is> maybe");

        Assert.Contains("'capabilities:replication'", error.Message);
        Assert.Contains("'<is> maybe'", error.Message);
        Assert.Contains("boolean", error.Message);
    }

    [Fact]
    public void Error_ShowsHostileValueTruncatedAndWithoutControlCharacters()
    {
        var error = AssertInvalid("capabilities:tier", "gold\r\nforged log line" + new string('x', 1000));

        Assert.DoesNotContain('\r', error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("gold??forged log line", error.Message);
        Assert.True(error.Message.Length < 700, error.Message);
    }

    private static ReplicationException AssertInvalid(string key, string value, string? expectedTarget = null)
    {
        var error = Assert.Throws<ReplicationException>(() => ExtraSpecRequirement.Parse(key, value));
        Assert.Equal(ErrorIds.InvalidExtraSpec, error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(expectedTarget ?? key, error.Target);
        return error;
    }
}
