using Microsoft.AspNetCore.Components;
using OpsConsole.Shared.Quality;

namespace OpsConsole.Web.Components.Pages.Quality;

/// <summary>Data quality per stream with each rule's trend and band (<see cref="QualityViewModel"/>).</summary>
public sealed partial class QualityPage
{
    [Inject]
    private IQualityService Quality { get; set; } = default!;

    private QualityViewModel Model { get; set; } = default!;

    protected override Task OnInitializedAsync()
    {
        Model = new QualityViewModel(Quality);
        return Model.LoadAsync();
    }
}
