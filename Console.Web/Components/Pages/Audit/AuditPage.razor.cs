using Microsoft.AspNetCore.Components;
using OpsConsole.Shared.Audit;

namespace OpsConsole.Web.Components.Pages.Audit;

/// <summary>Every change made through the console, filtered and paged (<see cref="AuditViewModel"/>).</summary>
public sealed partial class AuditPage
{
    [Inject]
    private IAuditLog Audit { get; set; } = default!;

    private AuditViewModel Model { get; set; } = default!;

    protected override Task OnInitializedAsync()
    {
        Model = new AuditViewModel(Audit);
        return Model.SearchAsync();
    }
}
