//! A guest's console: `vncproxy` (websocket mode) answers a port, a ticket and maybe a password;
//! then `vncwebsocket` is opened on the node that answered, within seconds, with the same token
//! or ticket and TLS trust as every API call; the portal authenticates to the VNC server itself.

use crate::client::{Client, chain};
use crate::provider::hv;
use crate::rfb;
use crate::ws_bytes::WsBytes;
use rustls::pki_types::ServerName;
use serde_json::Value;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_tungstenite::tungstenite::{
    self, client::IntoClientRequest, http::HeaderValue, protocol::WebSocketConfig,
};
use vmportal_core::hypervisor::{ConsoleStream, HvResult, HypervisorError};

/// The largest message taken from the node: a framebuffer update comes in pieces of the VNC
/// proxy's reads, far below this; the bound caps a console's memory whatever the node sends.
const MAX_MESSAGE: usize = 4 * 1024 * 1024;

fn failed(what: &str, e: impl std::fmt::Display) -> HypervisorError {
    HypervisorError::Transient(format!("the console {what}: {e}"))
}

/// Opens the console of the guest at `guest` (its API path, `/nodes/{node}/{kind}/{vmid}`).
pub async fn open(
    api: &Client,
    tls: &Arc<rustls::ClientConfig>,
    guest: &str,
) -> HvResult<ConsoleStream> {
    let params = [("websocket", "1".to_string())];
    let (proxy, node) = api
        .post_answered_by(&format!("{guest}/vncproxy"), &params)
        .await
        .map_err(hv)?;
    let port = match &proxy["port"] {
        Value::String(s) => s.parse().ok(),
        v => v.as_u64(),
    };
    let (Some(port), Some(ticket)) = (port, proxy["ticket"].as_str()) else {
        return Err(HypervisorError::Permanent(format!(
            "vncproxy answered no port and ticket: {proxy}"
        )));
    };
    // Older servers authenticate VNC with the ticket itself; newer ones make a password.
    let password = proxy["password"].as_str().unwrap_or(ticket);
    // The proxy waits on the node that answered; with several addresses behind one name, only
    // that one knows the ticket.
    let node = node.ok_or_else(|| failed("proxy", "the answer came from no known address"))?;

    let mut url = reqwest::Url::parse(&api.url(&format!("{guest}/vncwebsocket")))
        .map_err(|e| failed("address", e))?;
    url.query_pairs_mut()
        .append_pair("port", &port.to_string())
        .append_pair("vncticket", ticket);
    let host = url.host_str().unwrap_or_default().to_string();
    let name = ServerName::try_from(host).map_err(|e| failed("host name", e))?;
    let tcp = TcpStream::connect(node)
        .await
        .map_err(|e| failed(&format!("connection to {node}"), e))?;
    // Keystrokes and pointer moves must not wait for the acknowledgement of the previous ones.
    let _ = tcp.set_nodelay(true);
    let mut websocket_tls = (**tls).clone();
    websocket_tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    let tls = TlsConnector::from(Arc::new(websocket_tls))
        .connect(name, tcp)
        .await
        .map_err(|e| failed("TLS handshake", chain(&e)))?;

    let mut request = url
        .as_str()
        .replacen("https://", "wss://", 1)
        .into_client_request()
        .map_err(|e| failed("request", e))?;
    let headers = request.headers_mut();
    for (name, value) in api.auth_headers(&reqwest::Method::GET).await.map_err(hv)? {
        let value = HeaderValue::from_str(&value).map_err(|e| failed("sign-in", e))?;
        headers.insert(name, value);
    }
    headers.insert("sec-websocket-protocol", HeaderValue::from_static("binary"));
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    let (ws, _) = tokio_tungstenite::client_async_with_config(request, tls, Some(config))
        .await
        .map_err(refused)?;

    let mut vnc = WsBytes::new(ws);
    rfb::authenticate(&mut vnc, password.as_bytes())
        .await
        .map_err(|e| HypervisorError::Permanent(format!("the console: {e}")))?;
    Ok(Box::new(rfb::Fronted::new(vnc)))
}

/// The node's refusal of the websocket, with its status and message when it gave one.
fn refused(e: tungstenite::Error) -> HypervisorError {
    match e {
        tungstenite::Error::Http(res) => {
            let body = res.body().as_deref().unwrap_or_default();
            let message = serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|v| v["message"].as_str().map(|m| m.trim().to_string()))
                .unwrap_or_else(|| res.status().canonical_reason().unwrap_or("").into());
            HypervisorError::Permanent(format!(
                "Proxmox VE refused the console websocket ({}): {message}",
                res.status().as_u16()
            ))
        }
        other => failed("websocket", chain(&other)),
    }
}
