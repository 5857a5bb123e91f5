// A form field Dash marks invalid (Bootstrap's "is-invalid" class) says so to assistive technology:
// aria-invalid, and aria-describedby naming its message (the element "<field id>-error") when it has one.
new MutationObserver(() => {
  document.querySelectorAll("input.form-control[id]").forEach((input) => {
    const invalid = String(input.classList.contains("is-invalid"));
    if (input.getAttribute("aria-invalid") !== invalid) input.setAttribute("aria-invalid", invalid);
    const message = document.getElementById(input.id + "-error");
    if (message && input.getAttribute("aria-describedby") !== message.id) input.setAttribute("aria-describedby", message.id);
  });
}).observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
