using System.ComponentModel.DataAnnotations;

namespace OpsConsole.Web.Components.Pages.Account;

/// <summary>What the sign-in form posts.</summary>
public sealed class SignInForm
{
    [Required(ErrorMessage = "Enter your user name.")]
    [StringLength(64, ErrorMessage = "A user name has at most 64 characters.")]
    public string UserName { get; set; } = "";

    [Required(ErrorMessage = "Enter your password.")]
    [StringLength(1024, ErrorMessage = "A password has at most 1024 characters.")]
    public string Password { get; set; } = "";
}
