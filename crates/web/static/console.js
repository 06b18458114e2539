// The console page: noVNC on the portal's own websocket relay. The ticket comes from the URL's
// fragment (never sent to the server as part of the page URL) or is minted here; it works once, so
// it is removed from the address bar and the history at once.
import RFB from "/static/novnc/core/rfb.js";

const screen = document.getElementById("screen");
const status = document.getElementById("console-status");
// The page's language: its texts come with the page (data-msg-*).
const say = screen.dataset;

// `?view_only=1` asks for a view-only console; the portal's relay enforces it (and imposes it on a
// teacher without full control), noVNC is only told so that it does not pretend otherwise.
const askedViewOnly = new URLSearchParams(location.search).get("view_only") === "1";

async function ticket() {
  const given = location.hash.slice(1);
  history.replaceState(null, "", location.pathname + location.search);
  if (/^[0-9a-f]{64}$/.test(given)) return { ticket: given, viewOnly: askedViewOnly };
  const r = await fetch(`/api/v1/machines/${screen.dataset.machine}/console`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ view_only: askedViewOnly }),
  });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error.message);
  return { ticket: new URL(body.websocket).searchParams.get("ticket"), viewOnly: body.view_only };
}

try {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const t = await ticket();
  const url = `${scheme}://${location.host}/console/ws?ticket=${t.ticket}`;
  const rfb = new RFB(screen, url, { wsProtocols: ["binary"] });
  rfb.viewOnly = t.viewOnly;
  rfb.scaleViewport = true;
  rfb.addEventListener("connect", () => {
    status.textContent = t.viewOnly ? say.msgConnectedViewOnly : say.msgConnected;
  });
  rfb.addEventListener("disconnect", (e) => {
    status.textContent = e.detail.clean ? say.msgClosed : say.msgCutOff;
  });
} catch (e) {
  status.textContent = `${say.msgFailed} ${e.message}`;
}
