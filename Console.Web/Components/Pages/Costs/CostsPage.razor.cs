using Microsoft.AspNetCore.Components;
using OpsConsole.Shared.Costs;

namespace OpsConsole.Web.Components.Pages.Costs;

/// <summary>Cost per day, stream and run, the month's forecast and the budget (<see cref="CostsViewModel"/>).</summary>
public sealed partial class CostsPage
{
    [Inject]
    private ICostService Costs { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    private CostsViewModel Model { get; set; } = default!;

    protected override Task OnInitializedAsync()
    {
        Model = new CostsViewModel(Costs, Time);
        return Model.LoadAsync(CostsViewModel.Ranges[0].Label, CostsViewModel.Ranges[0].Days);
    }

    private static string Usd(double value) => Format.Usd(value);
}
