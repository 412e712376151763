// The theme the user picked (light or dark), remembered in this browser; none means follow the system.
const key = "opsconsole-theme";

export function get() {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function set(theme) {
  try {
    if (theme) {
      localStorage.setItem(key, theme);
    } else {
      localStorage.removeItem(key);
    }
  } catch {
    // Storage refused (private mode): the choice lasts for this page only.
  }
}
