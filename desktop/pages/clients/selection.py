"""The chosen client: ``?client=<id>`` read and kept in the address, and the focus taken to it once picked."""

from __future__ import annotations

from dash import Input, Output, clientside_callback


def client_id(value: object) -> int | None:
    """A client number from the address, the search box or a store (None if it is not one)."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


# Keep ?client=<id> in the address (reloads and the language switch come back to the same client).
clientside_callback(
    """function (id) {
        if (id) { window.history.replaceState(null, "", "?client=" + id); }
        return window.dash_clientside.no_update;
    }""",
    Output("clients-url-sync", "data"),
    Input("clients-selected", "data"),
)

# A client opened from the list or the search box (Enter) takes the focus to its heading once shown, so the
# keyboard goes on to the decision instead of starting again from the top of the page.
clientside_callback(
    """function (id) {
        const from = document.activeElement;
        const picked = from && (from.id === "clients-search" || from.closest("#clients-list") || from === document.body);
        if (!id || !picked) { return window.dash_clientside.no_update; }
        let tries = 50;
        (function focusHeading() {
            const heading = document.getElementById("client-heading");
            if (heading && heading.dataset.client === String(id)) { heading.focus(); }
            else if (tries-- > 0) { setTimeout(focusHeading, 100); }
        })();
        return window.dash_clientside.no_update;
    }""",
    Output("clients-focus", "data"),
    Input("clients-selected", "data"),
    prevent_initial_call=True,
)
