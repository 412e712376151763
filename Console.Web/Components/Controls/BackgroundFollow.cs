namespace OpsConsole.Web.Components.Controls;

/// <summary>A live view's background follow: one task, stopped and awaited when the view goes away.</summary>
public sealed class BackgroundFollow : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _work = Task.CompletedTask;

    /// <summary>Cancelled when the view goes away.</summary>
    public CancellationToken Token => _stop.Token;

    public void Start(Task work) => _work = work;

    public Task StopAsync() => _stop.CancelAsync();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _work;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
