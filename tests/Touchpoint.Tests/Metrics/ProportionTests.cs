using Touchpoint.Metrics;

namespace Touchpoint.Tests.Metrics;

public sealed class ProportionTests
{
    [Fact]
    public void Wilson95_MatchesPublishedValues()
    {
        // 8 of 10: 0.490–0.943 (Wilson 1927; Newcombe 1998, method 3).
        var (low, high) = new Proportion(8, 10).Interval95!.Value;
        Assert.Equal(0.4902, low, 4);
        Assert.Equal(0.9433, high, 4);
        Assert.Equal((0.9433 - 0.4902) / 2, new Proportion(8, 10).MarginOfError95!.Value, 3);
    }

    [Fact]
    public void Wilson95_StaysInsideZeroToOne_AtTheEdges()
    {
        var none = new Proportion(0, 5).Interval95!.Value;
        Assert.Equal(0, none.Low, 10);
        Assert.Equal(0.4345, none.High, 4);
        var all = new Proportion(5, 5).Interval95!.Value;
        Assert.Equal(1, all.High, 10);
        Assert.Equal(0.5655, all.Low, 4);
    }

    [Fact]
    public void NoTrials_HasNoShare_AndIsFlaggedSmall()
    {
        Assert.Null(new Proportion(0, 0).Share);
        Assert.Null(new Proportion(0, 0).Interval95);
        Assert.True(new Proportion(3, 29).IsSmallSample);
        Assert.False(new Proportion(3, 30).IsSmallSample);
    }
}
