namespace Replication.Engine.Capabilities;

/// <summary>How an extra-spec value compares a capability, chosen by the value's first word (Cinder's operators).</summary>
public enum SpecOperator
{
    /// <summary>No operator word: the capability's text must equal the whole value.</summary>
    Equal,

    /// <summary>"=": despite its look, numeric at-least ("= 4" accepts 4 and more), as Cinder implements it.</summary>
    AtLeast,

    /// <summary>"==": numeric equality.</summary>
    NumericEqual,

    /// <summary>"!=": numeric inequality.</summary>
    NumericNotEqual,

    /// <summary>"&gt;=": numeric greater than or equal.</summary>
    NumericGreaterOrEqual,

    /// <summary>"&lt;=": numeric less than or equal.</summary>
    NumericLessOrEqual,

    /// <summary>"s==": ordinal string equality.</summary>
    StringEqual,

    /// <summary>"s!=": ordinal string inequality.</summary>
    StringNotEqual,

    /// <summary>"s&lt;": ordinal string less than.</summary>
    StringLess,

    /// <summary>"s&lt;=": ordinal string less than or equal.</summary>
    StringLessOrEqual,

    /// <summary>"s&gt;": ordinal string greater than.</summary>
    StringGreater,

    /// <summary>"s&gt;=": ordinal string greater than or equal.</summary>
    StringGreaterOrEqual,

    /// <summary>"&lt;in&gt;": the capability's text contains the operand, or a list capability has it as an element.</summary>
    Contains,

    /// <summary>"&lt;is&gt;": the capability read as a boolean equals the operand's boolean word.</summary>
    Is,

    /// <summary>"&lt;or&gt; a &lt;or&gt; b": the capability's text equals one of the alternatives.</summary>
    Or,
}
