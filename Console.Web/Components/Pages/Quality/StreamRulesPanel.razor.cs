using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Quality;

namespace OpsConsole.Web.Components.Pages.Quality;

/// <summary>The Quality page's rules file of a stream (<see cref="StreamRulesViewModel"/>).</summary>
public sealed partial class StreamRulesPanel : IDisposable
{
    private readonly CancellationTokenSource _closed = new();

    [Parameter, EditorRequired]
    public string Stream { get; set; } = "";

    [Inject]
    private IStreamRulesService Rules { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private StreamRulesViewModel Model { get; set; } = default!;

    protected override void OnInitialized() => Model = new StreamRulesViewModel(Rules);

    protected override Task OnParametersSetAsync() => Model.LoadAsync(Stream, _closed.Token);

    // Leaving the page stops a profile that is still running.
    public void Dispose()
    {
        _closed.Cancel();
        _closed.Dispose();
    }

    private async Task SuggestAsync()
    {
        try
        {
            await Model.SuggestAsync(await CallerAsync(), () => InvokeAsync(StateHasChanged), _closed.Token);
        }
        catch (OperationCanceledException) when (_closed.IsCancellationRequested)
        {
        }
    }

    private async Task SaveAsync() => await Model.SaveAsync(await CallerAsync(), _closed.Token);

    private async Task<CallerInfo> CallerAsync() => ConsoleIdentity.Caller((await AuthenticationState).User, "cookie")!;
}
