// The portal's "Copy" and "Share" buttons. Each names the field it takes its text from
// (data-copy or data-share, a CSS selector). They start hidden: without JavaScript the
// field itself can still be selected and copied, and "Share" shows only where the
// browser can share.
"use strict";
document.querySelectorAll("[data-copy]").forEach((button) => { button.hidden = false; });
if (navigator.share) {
  document.querySelectorAll("[data-share]").forEach((button) => { button.hidden = false; });
}
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy],[data-share]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy || button.dataset.share);
  if (!field) return;
  if (button.dataset.share) {
    try { await navigator.share({ text: field.value }); } catch (_) { /* the member closed it */ }
    return;
  }
  try {
    await navigator.clipboard.writeText(field.value);
  } catch (_) {
    // No clipboard permission: select the text, for the member's own copy.
    field.select();
  }
  button.textContent = "Copied";
});
