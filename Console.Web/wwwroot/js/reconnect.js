// The reconnect indicator (ReconnectIndicator.razor) follows the Blazor script's reconnection states; this adds what
// the indicator cannot do by itself. A circuit the server no longer knows (the console restarted) cannot be resumed:
// the page reloads, and being signed in by cookie, comes back where it was. After the script's own attempts run out
// (the console is down for longer), it keeps trying every 5 s, so the page recovers when the console is back.
(() => {
  const indicator = document.getElementById("components-reconnect-modal");
  if (!indicator) {
    return;
  }
  let retrying = null;
  indicator.addEventListener("components-reconnect-state-changed", event => {
    const state = event.detail.state;
    if (state === "rejected") {
      location.reload();
    } else if (state === "failed" && retrying === null) {
      retrying = setInterval(async () => {
        try {
          if (await Blazor.reconnect()) {
            clearInterval(retrying);
            retrying = null;
          }
        } catch {
          // Still down: the next attempt comes in 5 s.
        }
      }, 5000);
    } else if (state === "hide" && retrying !== null) {
      clearInterval(retrying);
      retrying = null;
    }
  });
})();
