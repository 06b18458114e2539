//! One console session: bytes between the browser's websocket and the guest's VNC server.
//!
//! Backpressure: each direction reads again only once the other side has taken what was read
//! before (browser to guest: once at most `COALESCE` bytes wait to be written), so a slow or
//! stuck peer stalls its sender instead of growing buffers in the portal.

use super::view_only;
use crate::{
    auth::{Via, session_in_use},
    error::AppError,
    state::AppState,
};
use axum::extract::ws::{CloseFrame, Message, WebSocket, close_code};
use bytes::BytesMut;
use futures_util::{FutureExt, SinkExt, StreamExt};
use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt, BufWriter},
    time::Instant,
};
use vmportal_core::{
    audit::{Actor, NewAuditEvent, action},
    hypervisor::ConsoleStream,
    ids::MachineId,
    machine::MachineState,
    now,
};

/// What is read from the guest at once, and so the most of its output the portal holds per console
/// (and the websocket's copy of it). Big reads matter: each read and send costs wake-ups, which
/// cost more than the copying (half a MiB halves the relay's CPU per GB against 64 KiB).
const CHUNK: usize = 512 * 1024;
/// Browser messages that arrive together are gathered up to this before being written to the guest.
const COALESCE: usize = 64 * 1024;
/// A browser that does not take the closing frame within this is left behind.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

pub struct Session {
    pub state: AppState,
    pub actor: Actor,
    /// The session or API token the console was opened with, by its hash.
    pub token_hash: String,
    pub via: Via,
    pub machine: MachineId,
    /// The browser's input is dropped (see [`super::view_only`]).
    pub view_only: bool,
}

/// Why a console ended, for the audit log and the closing frame.
struct End {
    code: u16,
    reason: &'static str,
}

const fn end(code: u16, reason: &'static str) -> End {
    End { code, reason }
}

impl Session {
    pub async fn run(self, socket: WebSocket, guest: ConsoleStream) {
        let _open = self.state.consoles.opened();
        let (mut to_browser, mut from_browser) = socket.split();
        let (mut from_guest, mut to_guest) = tokio::io::split(guest);
        let started = Instant::now();
        // Milliseconds after `started` of the last byte relayed either way (the console's own
        // idleness), and of the person's last input (the session's: screen updates, and the
        // update requests the browser sends for them, must not keep a session alive forever).
        let last = AtomicU64::new(0);
        let last_input = AtomicU64::new(0);
        let mark =
            |at: &AtomicU64| at.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
        let touch = || mark(&last);
        let (mut up, mut down, mut dropped) = (0u64, 0u64, 0u64);
        let mut filter = self.view_only.then(view_only::Filter::default);
        let mut kept = Vec::new();

        let ended = {
            let browser_to_guest = async {
                let counted =
                    metrics::counter!("vmportal_console_bytes_total", "direction" => "to_guest");
                let mut to_guest = BufWriter::with_capacity(COALESCE, &mut to_guest);
                let gone = || end(close_code::AWAY, "the console server closed the connection");
                loop {
                    // Messages already here are written together: a moving pointer sends dozens
                    // of tiny ones, and a write each would cost a syscall and a packet each.
                    let msg = match from_browser.next().now_or_never() {
                        Some(msg) => msg,
                        None => {
                            if to_guest.flush().await.is_err() {
                                return gone();
                            }
                            from_browser.next().await
                        }
                    };
                    let data = match msg {
                        Some(Ok(Message::Binary(data))) => data,
                        Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                        // Pings are answered by the websocket layer; text is not VNC.
                        Some(Ok(_)) => continue,
                    };
                    let data = match &mut filter {
                        None => &data[..],
                        Some(filter) => {
                            kept.clear();
                            let counted = filter.feed(&data, &mut kept, |input| {
                                dropped += 1;
                                metrics::counter!("vmportal_console_input_dropped_total",
                                    "kind" => input.label())
                                .increment(1);
                            });
                            if let Err(refused) = counted {
                                tracing::info!(machine = self.machine.0, %refused, "view-only console ended");
                                return end(
                                    close_code::POLICY,
                                    "the viewer sent what a view-only console does not carry",
                                );
                            }
                            &kept[..]
                        }
                    };
                    if to_guest.write_all(data).await.is_err() {
                        return gone();
                    }
                    up += data.len() as u64;
                    counted.increment(data.len() as u64);
                    touch();
                    if !only_update_requests(data) {
                        mark(&last_input);
                    }
                }
                // What the browser sent before it closed still reaches the guest.
                if to_guest.flush().await.is_err() {
                    return gone();
                }
                end(close_code::NORMAL, "closed by the browser")
            };
            let guest_to_browser = async {
                let counted =
                    metrics::counter!("vmportal_console_bytes_total", "direction" => "to_browser");
                let mut buf = BytesMut::new();
                loop {
                    // Takes back the whole buffer: the websocket copied the last chunk out.
                    buf.reserve(CHUNK);
                    let n = match from_guest.read_buf(&mut buf).await {
                        Ok(0) | Err(_) => {
                            return end(
                                close_code::AWAY,
                                "the console server closed the connection",
                            );
                        }
                        Ok(n) => n,
                    };
                    let chunk = buf.split().freeze();
                    // Waits until the socket took it: a browser that does not read stalls the guest.
                    if to_browser.send(Message::Binary(chunk)).await.is_err() {
                        return end(close_code::NORMAL, "the browser went away");
                    }
                    down += n as u64;
                    counted.increment(n as u64);
                    touch();
                }
            };
            let idle = async {
                let limit = Duration::from_secs(self.state.config.console.idle_secs);
                loop {
                    let due = started + Duration::from_millis(last.load(Ordering::Relaxed)) + limit;
                    if Instant::now() >= due {
                        return end(close_code::NORMAL, "idle for too long");
                    }
                    tokio::time::sleep_until(due).await;
                }
            };
            tokio::select! {
                e = browser_to_guest => e,
                e = guest_to_browser => e,
                e = idle => e,
                e = self.watch(&last_input) => e,
            }
        };

        let close = NewAuditEvent {
            action: action::CONSOLE_CLOSE,
            object_type: "machine",
            object_id: Some(self.machine.0),
            detail: if self.view_only {
                format!(
                    "{}; view-only: {dropped} input event(s) dropped, {up} bytes to the guest, \
                     {down} bytes to the browser",
                    ended.reason
                )
            } else {
                format!(
                    "{}; {up} bytes to the guest, {down} bytes to the browser",
                    ended.reason
                )
            },
        };
        if let Err(e) = self.state.store.record(&self.actor, close).await {
            tracing::warn!(error = %e, "could not record the end of a console session");
        }
        // After the audit: a browser told the console closed finds it in the log.
        let frame = CloseFrame {
            code: ended.code,
            reason: ended.reason.into(),
        };
        let _ =
            tokio::time::timeout(CLOSE_TIMEOUT, to_browser.send(Message::Close(Some(frame)))).await;
    }

    /// Ends the console when the portal shuts down, the machine stops running, or the session
    /// or API token it was opened with ends (sign-out, revoked, or the user disabled). A console
    /// the person uses (input since the last check, `last_input` moved) counts as use of its
    /// session, which then does not idle out.
    async fn watch(&self, last_input: &AtomicU64) -> End {
        let mut closing = self.state.consoles.closing.subscribe();
        let mut tick =
            tokio::time::interval(Duration::from_secs(self.state.config.console.check_secs));
        let mut seen = last_input.load(Ordering::Relaxed);
        loop {
            tokio::select! {
                _ = closing.wait_for(|c| *c) => return end(close_code::AWAY, "the portal is shutting down"),
                _ = tick.tick() => {}
            }
            let store = &self.state.store;
            match store.machine(self.machine).await {
                Ok(Some(m)) if m.state == MachineState::Running => {}
                Ok(_) => return end(close_code::NORMAL, "the machine is no longer running"),
                Err(e) => tracing::warn!(error = %e, "console: could not check the machine"),
            }
            let latest = last_input.load(Ordering::Relaxed);
            let in_use = latest != seen;
            seen = latest;
            let (live, ended) = match self.via {
                // A script's console lives as long as its token.
                Via::ApiToken => (
                    store
                        .api_token(&self.token_hash, now())
                        .await
                        .map(|t| t.is_some())
                        .map_err(AppError::from),
                    "the API token ended",
                ),
                Via::Session if in_use => (
                    session_in_use(&self.state, &self.token_hash)
                        .await
                        .map(|user| user.is_some()),
                    "the session ended",
                ),
                Via::Session => (
                    store
                        .session(&self.token_hash, now())
                        .await
                        .map(|s| s.is_some())
                        .map_err(AppError::from),
                    "the session ended",
                ),
            };
            match live {
                Ok(true) => {}
                Ok(false) => return end(close_code::POLICY, ended),
                Err(e) => tracing::warn!(error = %e, "console: could not check the session"),
            }
        }
    }
}

/// RFB FramebufferUpdateRequest: message type 3, 10 bytes. noVNC sends one (in a websocket message
/// of its own) for every screen update it receives, so such messages follow the screen, not the
/// person; everything else the browser sends (keys, pointer, clipboard, the handshake) is input.
fn only_update_requests(data: &[u8]) -> bool {
    const LEN: usize = 10;
    !data.is_empty() && data.len().is_multiple_of(LEN) && data.chunks(LEN).all(|m| m[0] == 3)
}

#[cfg(test)]
mod tests {
    use super::only_update_requests;

    #[test]
    fn update_requests_are_not_input_but_keys_and_pointer_are() {
        let request = [3u8, 1, 0, 0, 0, 0, 4, 0, 3, 0];
        assert!(only_update_requests(&request));
        assert!(only_update_requests(&[request, request].concat()));
        let key = [4u8, 1, 0, 0, 0, 0, 0, 0x61];
        let pointer = [5u8, 1, 0, 10, 0, 20];
        assert!(!only_update_requests(&key));
        assert!(!only_update_requests(&pointer));
        assert!(!only_update_requests(&[&request[..], &key[..]].concat()));
        assert!(!only_update_requests(&[]));
    }
}
