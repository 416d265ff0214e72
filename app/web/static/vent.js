// The vent pad: a private text area. Its content never leaves the browser: the pad has no
// name and sits outside every form, and this script never reads its value; it only
// clears it when the page is left (or restored from the back/forward cache) or on request.

export function setUpVentPad(pad, clearButton) {
  if (!pad) return;
  const wipe = () => {
    pad.value = "";
  };
  window.addEventListener("pagehide", wipe);
  window.addEventListener("beforeunload", wipe);
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) wipe();
  });
  if (clearButton) {
    clearButton.addEventListener("click", () => {
      wipe();
      pad.focus();
    });
  }
}
