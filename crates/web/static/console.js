// The console page: noVNC on the portal's own websocket relay. The ticket comes from the URL's
// fragment (never sent to the server as part of the page URL) or is minted here; it works once, so
// it is removed from the address bar and the history at once.
import RFB from "/static/novnc/core/rfb.js";

const screen = document.getElementById("screen");
const status = document.getElementById("console-status");
// The page's language: its texts come with the page (data-msg-*).
const say = screen.dataset;

async function ticket() {
  const given = location.hash.slice(1);
  history.replaceState(null, "", location.pathname);
  if (/^[0-9a-f]{64}$/.test(given)) return given;
  const r = await fetch(`/api/v1/machines/${screen.dataset.machine}/console`, {
    method: "POST",
    credentials: "same-origin",
  });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error.message);
  return new URL(body.websocket).searchParams.get("ticket");
}

try {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const url = `${scheme}://${location.host}/console/ws?ticket=${await ticket()}`;
  const rfb = new RFB(screen, url, { wsProtocols: ["binary"] });
  rfb.scaleViewport = true;
  rfb.addEventListener("connect", () => { status.textContent = say.msgConnected; });
  rfb.addEventListener("disconnect", (e) => {
    status.textContent = e.detail.clean ? say.msgClosed : say.msgCutOff;
  });
} catch (e) {
  status.textContent = `${say.msgFailed} ${e.message}`;
}
