using Touchpoint.Customers.Segments;

namespace Touchpoint.Tests.Customers;

public sealed class SegmentRuleParserTests
{
    /// <summary>Renders the tree with explicit grouping so precedence shows in the text.</summary>
    private static string Tree(string rule)
    {
        var result = SegmentRule.Parse(rule);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors.Select(e => e.Message)));
        return Render(result.Rule!.Root);

        static string Render(SegmentNode node) => node switch
        {
            AndNode and => $"(and {Render(and.Left)} {Render(and.Right)})",
            OrNode or => $"(or {Render(or.Left)} {Render(or.Right)})",
            NotNode not => $"(not {Render(not.Operand)})",
            ComparisonNode c => $"{c.Field.Name} {c.Operator} {string.Join("|", c.Values)}",
            _ => throw new ArgumentOutOfRangeException(nameof(node)),
        };
    }

    private static SegmentRuleError SingleError(string rule)
    {
        var result = SegmentRule.Parse(rule);
        Assert.False(result.Succeeded);
        return Assert.Single(result.Errors);
    }

    /// <summary>What the API shows of an error.</summary>
    private static (int Column, string Message) Shown(SegmentRuleError error) => (error.Column, error.Message);

    [Fact]
    public void Parse_TheIssueExample_BuildsLeftNestedAnds()
    {
        Assert.Equal("(and (and plan Equal \"premium\" tenure_days Less 90) contacts_30d GreaterOrEqual 3)",
            Tree("plan = \"premium\" and tenure_days < 90 and contacts_30d >= 3"));
    }

    [Theory]
    [InlineData("plan = \"a\" or plan = \"b\" and plan = \"c\"", "(or plan Equal \"a\" (and plan Equal \"b\" plan Equal \"c\"))")]
    [InlineData("(plan = \"a\" or plan = \"b\") and plan = \"c\"", "(and (or plan Equal \"a\" plan Equal \"b\") plan Equal \"c\")")]
    [InlineData("not plan = \"a\" and plan = \"b\"", "(and (not plan Equal \"a\") plan Equal \"b\")")]
    [InlineData("not (plan = \"a\" and plan = \"b\")", "(not (and plan Equal \"a\" plan Equal \"b\"))")]
    [InlineData("not not consent_email or plan = \"a\"", "(or (not (not consent_email Equal true)) plan Equal \"a\")")]
    public void Parse_Precedence_NotBindsTighterThanAndThanOr(string rule, string expected)
    {
        Assert.Equal(expected, Tree(rule));
    }

    [Fact]
    public void Parse_KeywordsAndFieldsIgnoreCase()
    {
        Assert.Equal("(or plan In \"a\"|\"b\" (and (not country NotIn \"de\") consent_sms Equal false))",
            Tree("PLAN In (\"a\", \"b\") OR NOT Country NOT IN (\"de\") And consent_sms = FALSE"));
    }

    [Fact]
    public void Parse_OperatorsAndLiterals()
    {
        Assert.Equal("(and (and (and (and revenue LessOrEqual 12.5 products Has \"fiber\") city Contains \"ber\") preferred_channel NotEqual \"in-app\") birth_year Greater -3)",
            Tree("revenue <= 12.5 and products has \"fiber\" and city contains \"ber\" and preferred_channel <> \"in-app\" and birth_year > -3"));
    }

    [Fact]
    public void Parse_StringEscapes_KeepQuoteAndBackslash()
    {
        var result = SegmentRule.Parse("city = \"a \\\"quoted\\\" \\\\ name\"");
        var comparison = Assert.IsType<ComparisonNode>(result.Rule!.Root);
        Assert.Equal("a \"quoted\" \\ name", comparison.Values[0].Text);
    }

    [Fact]
    public void Parse_UnknownField_SuggestsClosestField()
    {
        var error = SingleError("plann = \"premium\"");
        Assert.Equal((1, "Unknown field 'plann' at column 1; did you mean 'plan'?"), Shown(error));
    }

    [Fact]
    public void Parse_UnknownFieldFarFromAnyName_HasNoSuggestion()
    {
        var error = SingleError("plan = \"x\" and favourite_colour = \"blue\"");
        Assert.Equal(16, error.Column);
        Assert.Equal("Unknown field 'favourite_colour' at column 16; see the list of fields rules can use", error.Message);
    }

    [Fact]
    public void Parse_MissingValue_PointsAtWhereTheValueShouldBe()
    {
        var error = SingleError("plan = \"premium\" and tenure_days < and contacts_30d >= 3");
        Assert.Equal((36, "Expected a value after '<' at column 36"), Shown(error));
    }

    [Fact]
    public void Parse_TypeErrors_NameFieldValueAndColumn()
    {
        var result = SegmentRule.Parse("tenure_days < \"abc\" and plan = 5 and consent_email = \"yes\" and contacts_30d > 2.5");
        Assert.Equal(
        [
            (15, "tenure_days compares with a number, not \"abc\" at column 15"),
            (32, "plan compares with text in double quotes, not 5 at column 32"),
            (54, "consent_email compares with true or false, not \"yes\" at column 54"),
            (79, "contacts_30d compares with a whole number, not 2.5 at column 79"),
        ], result.Errors.Select(Shown));
    }

    [Theory]
    [InlineData("plan < \"b\"", 6, "'<' does not apply to plan (text) at column 6; use =, !=, in, not in, contains")]
    [InlineData("products = \"tv\"", 10, "'=' does not apply to products (a list of products) at column 10; use has")]
    [InlineData("preferred_channel = \"fax\"", 21, "Unknown channel \"fax\"; channels are phone, email, chat, sms, social, self-service, in-app, bot at column 21")]
    [InlineData("products has \"tv,fiber\"", 14, "A product code is one non-empty item without commas, not \"tv,fiber\" at column 14")]
    public void Parse_OperatorOrValueNotValidForField_Explains(string rule, int column, string message)
    {
        Assert.Equal((column, message), Shown(SingleError(rule)));
    }

    [Theory]
    [InlineData("", 1, "The rule is empty at column 1; write a condition such as plan = \"premium\"")]
    [InlineData("plan = \"premium", 8, "The text starting at column 8 has no closing '\"'")]
    [InlineData("plan = 'premium'", 8, "Text values go in double quotes (\"...\"), not single quotes, at column 8")]
    [InlineData("plan = premium", 8, "Expected a value after '=' at column 8; text goes in double quotes, e.g. \"premium\"")]
    [InlineData("(plan = \"a\" or plan = \"b\"", 26, "Expected ')' to close the '(' at column 1, found end of rule at column 26")]
    [InlineData("plan = \"a\")", 11, "Unexpected ')' at column 11; there is no '(' for it to close")]
    [InlineData("plan = \"a\" plan = \"b\"", 12, "Expected 'and' or 'or' before 'plan' at column 12")]
    [InlineData("plan = \"a\" and", 15, "Expected a condition after 'and' at column 15, but the rule ends there")]
    [InlineData("plan \"a\"", 6, "Expected a comparison (=, !=, <, <=, >, >=, in, not in, has, contains) after 'plan' at column 6, found \"a\"")]
    [InlineData("plan in \"a\"", 9, "Expected '(' after 'in' at column 9, e.g. in (\"a\", \"b\")")]
    [InlineData("plan in (\"a\" \"b\")", 14, "Expected ',' or ')' in the list after 'in' at column 14, found \"b\"")]
    [InlineData("plan = \"a\" & age > 3", 12, "Unexpected character '&' at column 12")]
    [InlineData("and plan = \"a\"", 1, "Expected a field name at column 1, found 'and'")]
    [InlineData("revenue > 1e3", 11, "'1e3' is not a number at column 11")]
    [InlineData("revenue > 2.5E-3 and age > 1", 11, "'2.5E-3' is not a number at column 11")]
    [InlineData("last_contact_days >= 0x10", 22, "'0x10' is not a number at column 22")]
    [InlineData("revenue > 1_000", 11, "'1_000' is not a number at column 11")]
    [InlineData("tenure_days < 90days", 15, "'90days' is not a number at column 15")]
    [InlineData("age > 3and plan = \"a\"", 8, "Expected a space after the number '3' at column 8")]
    [InlineData("revenue > 1,5", 11, "'1,5' is not a number at column 11")]
    [InlineData("revenue > 1, 5", 12, "Expected 'and' or 'or' before ',' at column 12")]
    public void Parse_SyntaxErrors_MessageAndColumn(string rule, int column, string message)
    {
        Assert.Equal((column, message), Shown(SingleError(rule)));
    }

    [Theory]
    [InlineData("plann = \"premium\"", SegmentRuleErrorKind.UnknownFieldDidYouMean, "plann|plan")]
    [InlineData("(plan = \"a\"", SegmentRuleErrorKind.UnclosedParenAtEnd, "1")]
    [InlineData("(plan = \"a\" plan", SegmentRuleErrorKind.UnclosedParen, "1|'plan'")]
    [InlineData("plan = \"a\" plan = \"b\"", SegmentRuleErrorKind.ExpectedAndOr, "'plan'")]
    [InlineData("plan", SegmentRuleErrorKind.ExpectedComparisonAtEnd, "plan")]
    [InlineData("plan < \"b\"", SegmentRuleErrorKind.OperatorNotApplicable, "<|plan|=, !=, in, not in, contains")]
    [InlineData("tenure_days < \"abc\"", SegmentRuleErrorKind.NumberExpected, "tenure_days|\"abc\"")]
    [InlineData("preferred_channel = \"fax\"", SegmentRuleErrorKind.UnknownChannel, "\"fax\"|phone, email, chat, sms, social, self-service, in-app, bot")]
    public void Parse_Errors_CarryTheirKindAndWhatTheyQuote_ForTheUiLanguage(string rule, SegmentRuleErrorKind kind, string arguments)
    {
        var error = SingleError(rule);
        Assert.Equal(kind, error.Kind);
        Assert.Equal(arguments, string.Join("|", error.Arguments));
        Assert.Equal(error, SingleError(rule)); // errors compare by value, their arguments included
    }

    [Theory]
    [InlineData("plan = \"a\" and\n  age > 3 and\n  bogus = 1", 3, 3, "Line 3: Unknown field 'bogus' at column 3; see the list of fields rules can use")]
    [InlineData("plan = \"a\"\r\nand city = 'x'", 2, 12, "Line 2: Text values go in double quotes (\"...\"), not single quotes, at column 12")]
    [InlineData("age > 3 and\n\tplan < \"b\"", 2, 7, "Line 2: '<' does not apply to plan (text) at column 7; use =, !=, in, not in, contains")]
    [InlineData("age > 3 and\ncity = \"two\nlines\" and x = 1", 3, 12, "Line 3: Unknown field 'x' at column 12; see the list of fields rules can use")]
    [InlineData("age > 3 and\n", 2, 1, "Line 2: Expected a condition after 'and' at column 1, but the rule ends there")]
    public void Parse_RuleOnSeveralLines_PointsAtLineAndColumnWithinIt(string rule, int line, int column, string message)
    {
        var error = SingleError(rule);
        Assert.Equal((line, column, message), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void Parse_DeepNesting_IsRefusedNotAStackOverflow()
    {
        var rule = new string('(', 5000) + "plan = \"a\"" + new string(')', 5000);
        var error = SingleError(rule);
        Assert.StartsWith("The rule nests deeper than 64 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_AllParse()
    {
        foreach (var draft in DefaultSegments.All)
        {
            var result = SegmentRule.Parse(draft.Rule);
            Assert.True(result.Succeeded, draft.Name + ": " + string.Join("; ", result.Errors.Select(e => e.Message)));
        }
        Assert.Contains(DefaultSegments.All, d => d.Kind == Touchpoint.Customers.SegmentKind.Persona);
        Assert.Equal(DefaultSegments.All.Count, DefaultSegments.All.Select(d => d.Name).Distinct().Count());
    }

    [Fact]
    public void Fields_EveryChannelHasAConsentField()
    {
        var names = SegmentField.All.Select(f => f.Name).ToHashSet();
        foreach (var name in new[] { "consent_email", "consent_sms", "consent_phone", "consent_in_app", "consent_self_service" })
        {
            Assert.Contains(name, names);
        }
        Assert.Equal(names.Count, SegmentField.All.Count);
    }
}
