//! The client side of a console connection, as lean as a websocket client can be: the HTTP
//! upgrade, masked binary frames built once and written as they are, and a frame reader that
//! hands out payload straight from its read buffer. A library client would spend the shared CPU
//! on copies and per-message allocations, and the relay would look slower than it is.
//! Without framing (`framed == false`) the same type is a plain TCP connection: the raw baseline.

use std::io::{self, ErrorKind};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

const OP_BINARY: u8 = 0x2;
const OP_CLOSE: u8 = 0x8;
const FIN: u8 = 0x80;
const MASKED: u8 = 0x80;
/// What one read may take from the socket.
const READ_BUF: usize = 256 * 1024;

pub struct Console {
    stream: TcpStream,
    framed: bool,
    mask: [u8; 4],
    buf: Box<[u8]>,
    /// Unread bytes are `buf[pos..end]`.
    pos: usize,
    end: usize,
    /// Payload bytes of the current frame not handed out yet.
    left: u64,
    /// Messages received so far (reads, when not framed).
    pub messages: u64,
}

impl Console {
    /// A raw TCP connection to the guest.
    pub fn raw(stream: TcpStream) -> Console {
        Console::new(stream, false)
    }

    /// Upgrades `stream` to a websocket on `path` (subprotocol `binary`, as noVNC asks).
    pub async fn websocket(
        mut stream: TcpStream,
        host: &str,
        path: &str,
        cookie: Option<&str>,
    ) -> io::Result<Console> {
        let cookie = cookie
            .map(|c| format!("Cookie: {c}\r\n"))
            .unwrap_or_default();
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Protocol: binary\r\n{cookie}\r\n"
        );
        stream.write_all(request.as_bytes()).await?;
        // Byte by byte up to the blank line, so no frame byte is taken with the answer.
        let mut answer = Vec::new();
        while !answer.ends_with(b"\r\n\r\n") {
            let mut b = [0u8];
            if stream.read(&mut b).await? == 0 || answer.len() > 16 * 1024 {
                return Err(io::Error::new(ErrorKind::InvalidData, "no upgrade answer"));
            }
            answer.push(b[0]);
        }
        let answer = String::from_utf8_lossy(&answer);
        if !answer.starts_with("HTTP/1.1 101") {
            let status = answer.lines().next().unwrap_or_default();
            return Err(io::Error::other(format!("upgrade refused: {status}")));
        }
        Ok(Console::new(stream, true))
    }

    fn new(stream: TcpStream, framed: bool) -> Console {
        let _ = stream.set_nodelay(true);
        Console {
            stream,
            framed,
            mask: rand::random(),
            buf: vec![0; READ_BUF].into_boxed_slice(),
            pos: 0,
            end: 0,
            left: 0,
            messages: 0,
        }
    }

    /// The bytes that carry `messages` on the wire: each one frame, or just concatenated.
    pub fn encode(&self, messages: &[&[u8]]) -> Vec<u8> {
        let mut wire = Vec::new();
        for m in messages {
            if self.framed {
                frame(&mut wire, OP_BINARY, m, self.mask);
            } else {
                wire.extend_from_slice(m);
            }
        }
        wire
    }

    /// Writes bytes made by [`Console::encode`].
    pub async fn write_wire(&mut self, wire: &[u8]) -> io::Result<()> {
        self.stream.write_all(wire).await
    }

    pub async fn send(&mut self, message: &[u8]) -> io::Result<()> {
        let wire = self.encode(&[message]);
        self.write_wire(&wire).await
    }

    /// The next piece of payload from the guest, at most `limit` bytes; `None` once it closed.
    pub async fn recv(&mut self, limit: usize) -> io::Result<Option<&[u8]>> {
        if !self.framed {
            let n = self
                .stream
                .read(&mut self.buf[..limit.min(READ_BUF)])
                .await?;
            self.messages += 1;
            return Ok((n > 0).then(|| &self.buf[..n]));
        }
        while self.left == 0 {
            if !self.fill(2).await? {
                return Ok(None);
            }
            let (b0, b1) = (self.buf[self.pos], self.buf[self.pos + 1]);
            let header = match b1 & 0x7f {
                126 => 4,
                127 => 10,
                _ => 2,
            };
            if !self.fill(header).await? {
                return Ok(None);
            }
            let h = &self.buf[self.pos..self.pos + header];
            let len = match header {
                4 => u16::from_be_bytes([h[2], h[3]]) as u64,
                10 => u64::from_be_bytes(h[2..10].try_into().expect("8 bytes")),
                _ => (b1 & 0x7f) as u64,
            };
            self.pos += header;
            if b0 & 0x0f == OP_CLOSE {
                return Ok(None);
            }
            // Binary and continuation frames; servers here send nothing else unasked.
            self.left = len;
            self.messages += 1;
        }
        if self.pos == self.end && !self.fill(1).await? {
            return Ok(None);
        }
        let n = (self.end - self.pos).min(limit).min(self.left as usize);
        let piece = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        self.left -= n as u64;
        Ok(Some(piece))
    }

    /// Reads `n` payload bytes, or fails if the connection ends first.
    pub async fn recv_exact(&mut self, mut n: usize) -> io::Result<()> {
        while n > 0 {
            match self.recv(n).await? {
                Some(piece) => n -= piece.len(),
                None => return Err(ErrorKind::UnexpectedEof.into()),
            }
        }
        Ok(())
    }

    /// Makes at least `n` unread bytes available; false at the end of the stream.
    async fn fill(&mut self, n: usize) -> io::Result<bool> {
        if self.end - self.pos >= n {
            return Ok(true);
        }
        self.buf.copy_within(self.pos..self.end, 0);
        (self.end, self.pos) = (self.end - self.pos, 0);
        while self.end < n {
            let got = self.stream.read(&mut self.buf[self.end..]).await?;
            if got == 0 {
                return Ok(false);
            }
            self.end += got;
        }
        Ok(true)
    }

    /// Says goodbye (a closing frame) and waits, briefly, for the other side to close, so the
    /// relay has let go of the console before the next measurement.
    /// A raw connection is just dropped: the guest sees it end at once.
    pub async fn close(mut self) {
        if !self.framed {
            return;
        }
        let mut wire = Vec::new();
        frame(&mut wire, OP_CLOSE, &1000u16.to_be_bytes(), self.mask);
        let _ = self.stream.write_all(&wire).await;
        let _ = self.stream.shutdown().await;
        let drain = async {
            let mut sink = [0u8; 64 * 1024];
            while matches!(self.stream.read(&mut sink).await, Ok(n) if n > 0) {}
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), drain).await;
    }
}

/// Appends one masked client frame.
fn frame(wire: &mut Vec<u8>, opcode: u8, payload: &[u8], mask: [u8; 4]) {
    wire.push(FIN | opcode);
    match payload.len() {
        n if n < 126 => wire.push(MASKED | n as u8),
        n if n <= u16::MAX as usize => {
            wire.push(MASKED | 126);
            wire.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            wire.push(MASKED | 127);
            wire.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    wire.extend_from_slice(&mask);
    wire.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
}
