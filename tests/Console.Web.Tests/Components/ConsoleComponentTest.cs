using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using OpsConsole.Shared.Audit;
using OpsConsole.Shared.Auth;
using OpsConsole.Shared.Checkpoints;
using OpsConsole.Shared.Costs;
using OpsConsole.Shared.Quality;
using OpsConsole.Shared.Runs;

namespace OpsConsole.Web.Tests.Components;

/// <summary>
/// A page or dialog rendered by bUnit against the fake services (no server, no database), with MudBlazor's services,
/// JavaScript calls answered with defaults, and the dialog and snackbar hosts the layout provides in the app. The
/// context is disposed asynchronously: MudBlazor's services are only <see cref="IAsyncDisposable"/>.
/// </summary>
public abstract class ConsoleComponentTest : IAsyncLifetime
{
    private IRenderedComponent<MudDialogProvider>? _dialogs;
    private IRenderedComponent<MudSnackbarProvider>? _snackbars;

    protected ConsoleComponentTest()
    {
        var services = Context.Services;
        services.AddMudServices();
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        // Charts fit their container: the browser reports its size through MudBlazor's resize observer.
        Context.JSInterop.Setup<MudBlazor.Interop.ElementSize>("mudObserveElementSize", _ => true)
            .SetResult(new MudBlazor.Interop.ElementSize { Width = 800, Height = 300, Timestamp = 1 });
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IRunService>(Runs);
        services.AddSingleton<IAuditLog>(Audit);
        services.AddSingleton<ICheckpointService>(Checkpoints);
        services.AddSingleton<ICostService>(Costs);
        services.AddSingleton<IQualityService>(Quality);
        services.AddSingleton<IStreamRulesService>(StreamRules);
        services.AddSingleton<IUserDirectory>(Users);
        services.AddSingleton<IApiKeyService>(Keys);
        services.AddSingleton<OpsConsole.Shared.Tables.ITableService>(Tables);
        services.AddSingleton<OpsConsole.Shared.Schedules.IScheduleService>(Schedules);
        services.AddSingleton<OpsConsole.Shared.Schedules.IBackfillService>(Backfills);
        services.AddSingleton(OpsConsole.Shared.Grafana.GrafanaPanels.None);
        Auth = Context.AddAuthorization();
    }

    protected BunitContext Context { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Context.DisposeAsync();

    internal FixedTime Time { get; } = new(FakeRunService.Now);

    internal FakeRunService Runs { get; } = new();

    internal FakeAuditLog Audit { get; } = new();

    internal FakeCheckpointService Checkpoints { get; } = new();

    internal FakeCostService Costs { get; } = new();

    internal FakeQualityService Quality { get; } = new();

    internal FakeStreamRulesService StreamRules { get; } = new();

    internal FakeUserDirectory Users { get; } = new();

    internal FakeApiKeyService Keys { get; } = new();

    internal FakeTableService Tables { get; } = new();

    internal FakeScheduleService Schedules { get; } = new();

    internal FakeBackfillService Backfills { get; } = new();

    protected BunitAuthorizationContext Auth { get; }

    /// <summary>Where dialogs open (rendered on first use, before the component that opens them).</summary>
    protected IRenderedComponent<MudDialogProvider> Dialogs => _dialogs ??= Context.Render<MudDialogProvider>();

    protected IRenderedComponent<MudSnackbarProvider> Snackbars => _snackbars ??= Context.Render<MudSnackbarProvider>();

    /// <summary>Signs in as <paramref name="name"/> with <paramref name="role"/>: its claim, and the policies the role passes.</summary>
    protected void SignIn(string name, ConsoleRole role)
    {
        Auth.SetAuthorized(name);
        Auth.SetClaims(new Claim(ClaimTypes.Role, role.ToString()));
        Auth.SetPolicies([.. new[] { ConsolePolicies.Viewer, ConsolePolicies.Operator, ConsolePolicies.Admin }.Where(policy => ConsolePolicies.Allows(policy, role))]);
    }

    /// <summary>Renders the hosts, then the page, as the layout does.</summary>
    protected IRenderedComponent<TPage> RenderPage<TPage>(Action<ComponentParameterCollectionBuilder<TPage>>? parameters = null)
        where TPage : IComponent
    {
        _ = Dialogs;
        _ = Snackbars;
        return parameters is null ? Context.Render<TPage>() : Context.Render(parameters);
    }

    /// <summary>Waits for <paramref name="assertion"/> to pass (renders after clicks and pushes are asynchronous).</summary>
    protected static void Eventually<T>(IRenderedComponent<T> component, Action assertion)
        where T : IComponent =>
        component.WaitForAssertion(assertion, TimeSpan.FromSeconds(5));

    protected static RunInfo Run(string id, RunState state, int minutesAgo = 1, string stream = "charges") =>
        FakeRunService.Run(id, state, FakeRunService.Now.AddMinutes(-minutesAgo), stream);
}
