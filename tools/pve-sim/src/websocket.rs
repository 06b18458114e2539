//! The server side of a console websocket, at the level of frames so that what a real node
//! refuses is seen and counted: compression (an extension offered, RSV bits), fragmented
//! messages, unmasked client frames, text.

use axum::http::HeaderMap;
use std::io::Cursor;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tungstenite::protocol::frame::{
    Frame, FrameHeader,
    coding::{CloseCode, Control, Data, OpCode},
};

/// Larger client frames end the connection, as pve-http-server's
/// `PVE::APIServer::AnyEvent::websocket_proxy` does (its `$max_payload_size`, 128 KiB).
const MAX_FRAME: u64 = 128 * 1024;

/// The `Sec-WebSocket-Accept` answer to a websocket upgrade the node accepts: version 13, the
/// `binary` subprotocol, no extensions.
pub fn accept_key(headers: &HeaderMap) -> Result<String, String> {
    let header = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_ascii_lowercase())
            .collect::<Vec<_>>()
    };
    if !header("upgrade").iter().any(|v| v == "websocket")
        || !header("connection").iter().any(|v| v == "upgrade")
        || header("sec-websocket-version") != ["13"]
    {
        return Err("not a websocket (version 13) upgrade".into());
    }
    if let Some(offered) = headers.get("sec-websocket-extensions") {
        return Err(format!(
            "websocket extensions offered ({offered:?}); the node speaks no compression"
        ));
    }
    if !header("sec-websocket-protocol")
        .iter()
        .any(|v| v == "binary")
    {
        return Err("the websocket subprotocol 'binary' was not asked for".into());
    }
    let key = headers
        .get("sec-websocket-key")
        .ok_or("no Sec-WebSocket-Key")?;
    Ok(tungstenite::handshake::derive_accept_key(key.as_bytes()))
}

/// Why a websocket ended.
pub enum End {
    /// The client closed it, or the connection went away.
    Closed,
    /// The client broke the protocol (already answered with a closing frame).
    Violation(String),
}

/// Binary messages in and out of an upgraded connection.
pub struct Frames<S> {
    io: S,
    /// Bytes read but not yet parsed into a frame.
    raw: Vec<u8>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Frames<S> {
    pub fn new(io: S) -> Frames<S> {
        Frames {
            io,
            raw: Vec::new(),
        }
    }

    /// The next binary message. Cancel-safe: what was read stays buffered.
    pub async fn next(&mut self) -> Result<Vec<u8>, End> {
        loop {
            let mut cursor = Cursor::new(&self.raw);
            let parsed = FrameHeader::parse(&mut cursor)
                .map_err(|e| End::Violation(format!("an unreadable frame: {e}")))?;
            if let Some((header, len)) = parsed {
                if len > MAX_FRAME {
                    return Err(self.refuse(format!("a {len}-byte frame")).await);
                }
                let start = cursor.position() as usize;
                let end = start + len as usize;
                if self.raw.len() >= end {
                    let mut payload = self.raw[start..end].to_vec();
                    self.raw.drain(..end);
                    if let Some(data) = self.frame(header, &mut payload).await? {
                        return Ok(data);
                    }
                    continue;
                }
            }
            let mut chunk = [0u8; 16 * 1024];
            match self.io.read(&mut chunk).await {
                Ok(0) | Err(_) => return Err(End::Closed),
                Ok(n) => self.raw.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// One frame: its data when it is a binary message, `None` for control frames.
    async fn frame(
        &mut self,
        header: FrameHeader,
        payload: &mut [u8],
    ) -> Result<Option<Vec<u8>>, End> {
        if header.rsv1 || header.rsv2 || header.rsv3 {
            return Err(self
                .refuse("a frame with RSV bits (compression)".into())
                .await);
        }
        let Some(mask) = header.mask else {
            return Err(self.refuse("an unmasked client frame".into()).await);
        };
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= mask[i % 4];
        }
        match header.opcode {
            OpCode::Data(Data::Binary) if header.is_final => Ok(Some(payload.to_vec())),
            OpCode::Data(Data::Binary | Data::Continue) => {
                Err(self.refuse("a fragmented message".into()).await)
            }
            OpCode::Data(Data::Text) => Err(self.refuse("a text message".into()).await),
            OpCode::Control(Control::Ping) => {
                self.write(Frame::pong(payload.to_vec()))
                    .await
                    .map_err(|_| End::Closed)?;
                Ok(None)
            }
            OpCode::Control(Control::Pong) => Ok(None),
            OpCode::Control(Control::Close) => {
                let _ = self.write(Frame::close(None)).await;
                Err(End::Closed)
            }
            other => Err(self.refuse(format!("opcode {other}")).await),
        }
    }

    async fn refuse(&mut self, what: String) -> End {
        let close = tungstenite::protocol::CloseFrame {
            code: CloseCode::Protocol,
            reason: what.clone().into(),
        };
        let _ = self.write(Frame::close(Some(close))).await;
        End::Violation(what)
    }

    /// Sends `data` as one binary message.
    pub async fn send(&mut self, data: &[u8]) -> std::io::Result<()> {
        self.write(Frame::message(
            data.to_vec(),
            OpCode::Data(Data::Binary),
            true,
        ))
        .await
    }

    async fn write(&mut self, frame: Frame) -> std::io::Result<()> {
        let mut out = Vec::with_capacity(frame.len());
        frame.format(&mut out).map_err(std::io::Error::other)?;
        self.io.write_all(&out).await?;
        self.io.flush().await
    }
}
