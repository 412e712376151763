using OpsConsole.Sandbox.Api;

namespace OpsConsole.Sandbox.Tests;

public sealed class PagingTests
{
    [Fact]
    public void Page_NoCursor_NewestFirstWithHasMore()
    {
        var (page, more) = Paging.Page(0, 10, null, null, 3, null);

        Assert.Equal([9, 8, 7], page);
        Assert.True(more);
    }

    [Fact]
    public void Page_StartingAfter_ContinuesOlderAndEndsAtTheWindow()
    {
        var (page, more) = Paging.Page(2, 10, 5, null, 10, null);

        Assert.Equal([4, 3, 2], page);
        Assert.False(more);
    }

    [Fact]
    public void Page_EndingBefore_ReturnsTheNewerNeighboursNewestFirst()
    {
        var (page, more) = Paging.Page(0, 10, null, 3, 2, null);

        Assert.Equal([5, 4], page);
        Assert.True(more);
    }

    [Fact]
    public void Page_EndingBeforeNearTheTop_HasNoMore()
    {
        var (page, more) = Paging.Page(0, 10, null, 7, 5, null);

        Assert.Equal([9, 8], page);
        Assert.False(more);
    }

    [Fact]
    public void Page_Filter_SkipsAndLooksAheadForHasMore()
    {
        var (page, more) = Paging.Page(0, 20, null, null, 2, i => i % 5 == 0);

        Assert.Equal([15, 10], page);
        Assert.True(more);
        Assert.False(Paging.Page(0, 20, 10, null, 5, i => i % 5 == 0 && i > 0).HasMore);
    }

    [Fact]
    public void Page_CursorAboveTheWindow_StartsAtTheWindowTop()
    {
        var (page, _) = Paging.Page(0, 5, 50, null, 2, null);

        Assert.Equal([4, 3], page);
    }
}
