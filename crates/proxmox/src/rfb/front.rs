//! The server half of an RFB handshake offering security type None, played to the browser in
//! front of a connection whose own handshake the portal has already completed. After it, bytes
//! pass through untouched: ClientInit and everything after are the same in every RFB version.

use super::{SECURITY_NONE, VERSION, invalid, parse_version};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// What the browser has to send next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Version,
    /// Its choice of security type; RFB 3.8 then wants a SecurityResult, 3.7 does not.
    SecurityType {
        result: bool,
    },
    Done,
}

/// The handshake as a state machine: bytes from the browser in, bytes for the browser out.
#[derive(Debug)]
struct Handshake {
    expect: Expect,
    version: Vec<u8>,
    output: Vec<u8>,
    taken: usize,
}

impl Handshake {
    fn new() -> Handshake {
        Handshake {
            expect: Expect::Version,
            version: Vec::with_capacity(VERSION.len()),
            output: VERSION.to_vec(),
            taken: 0,
        }
    }

    /// Bytes for the browser not taken yet.
    fn unread(&self) -> &[u8] {
        &self.output[self.taken..]
    }

    fn take(&mut self, n: usize) {
        self.taken += n;
        if self.taken == self.output.len() {
            self.output.clear();
            self.taken = 0;
        }
    }

    fn done(&self) -> bool {
        self.expect == Expect::Done
    }

    /// Takes the browser's bytes that belong to the handshake and returns how many it took: at
    /// least one of a non-empty `bytes` until done, none after.
    fn feed(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self.expect {
            Expect::Version => {
                let n = (VERSION.len() - self.version.len()).min(bytes.len());
                self.version.extend_from_slice(&bytes[..n]);
                if self.version.len() == VERSION.len() {
                    self.expect = match parse_version(&self.version) {
                        // RFB 3.3: the server names the security type itself.
                        Some((3, 3)) => {
                            self.output.extend_from_slice(&[0, 0, 0, SECURITY_NONE]);
                            Expect::Done
                        }
                        Some((3, minor)) if minor >= 7 => {
                            self.output.extend_from_slice(&[1, SECURITY_NONE]);
                            Expect::SecurityType { result: minor >= 8 }
                        }
                        _ => {
                            return Err(invalid(format!(
                                "the browser speaks {:?}, not RFB 3.3 to 3.8",
                                String::from_utf8_lossy(&self.version)
                            )));
                        }
                    };
                }
                Ok(n)
            }
            Expect::SecurityType { result } => match bytes.first() {
                None => Ok(0),
                Some(&SECURITY_NONE) => {
                    if result {
                        self.output.extend_from_slice(&[0, 0, 0, 0]);
                    }
                    self.expect = Expect::Done;
                    Ok(1)
                }
                Some(other) => Err(invalid(format!(
                    "the browser chose security type {other}, which was not offered"
                ))),
            },
            Expect::Done => Ok(0),
        }
    }
}

/// A server connection past its authentication, behind the handshake above: to its reader it
/// looks like a VNC server that asks for no password.
pub struct Fronted<S> {
    inner: S,
    handshake: Handshake,
    /// A read waiting for the browser's next handshake bytes, which come through `poll_write`.
    reader: Option<Waker>,
}

impl<S> Fronted<S> {
    pub fn new(inner: S) -> Fronted<S> {
        Fronted {
            inner,
            handshake: Handshake::new(),
            reader: None,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Fronted<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let unread = this.handshake.unread();
        if !unread.is_empty() {
            let n = unread.len().min(buf.remaining());
            buf.put_slice(&unread[..n]);
            this.handshake.take(n);
            return Poll::Ready(Ok(()));
        }
        if this.handshake.done() {
            return Pin::new(&mut this.inner).poll_read(cx, buf);
        }
        this.reader = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Fronted<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.handshake.done() {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        }
        let n = this.handshake.feed(buf)?;
        if let Some(reader) = this.reader.take() {
            reader.wake();
        }
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt, duplex};

    async fn read(io: &mut (impl AsyncRead + Unpin), n: usize) -> Vec<u8> {
        let mut buf = vec![0u8; n];
        io.read_exact(&mut buf).await.unwrap();
        buf
    }

    #[tokio::test]
    async fn a_browser_on_rfb_3_8_gets_security_none_then_the_server() {
        let (inner, mut server) = duplex(1024);
        let mut browser = Fronted::new(inner);
        assert_eq!(read(&mut browser, 12).await, b"RFB 003.008\n");
        // Byte by byte, as a network may cut it.
        for b in b"RFB 003.008\n" {
            browser.write_all(&[*b]).await.unwrap();
        }
        assert_eq!(read(&mut browser, 2).await, [1, SECURITY_NONE]);
        // The choice and ClientInit in one write: the rest goes to the server.
        browser.write_all(&[SECURITY_NONE, 1]).await.unwrap();
        assert_eq!(read(&mut browser, 4).await, [0, 0, 0, 0]);
        assert_eq!(read(&mut server, 1).await, [1]);
        server.write_all(b"ServerInit...").await.unwrap();
        assert_eq!(read(&mut browser, 13).await, b"ServerInit...");
    }

    #[tokio::test]
    async fn older_browsers_get_their_version_of_the_handshake() {
        let (inner, _server) = duplex(64);
        let mut browser = Fronted::new(inner);
        read(&mut browser, 12).await;
        browser.write_all(b"RFB 003.003\n").await.unwrap();
        assert_eq!(read(&mut browser, 4).await, [0, 0, 0, SECURITY_NONE]);
        assert!(browser.handshake.done());

        let (inner, _server) = duplex(64);
        let mut browser = Fronted::new(inner);
        read(&mut browser, 12).await;
        browser.write_all(b"RFB 003.007\n").await.unwrap();
        assert_eq!(read(&mut browser, 2).await, [1, SECURITY_NONE]);
        browser.write_all(&[SECURITY_NONE]).await.unwrap();
        assert!(browser.handshake.done());
        assert!(browser.handshake.unread().is_empty(), "no SecurityResult");
    }

    #[test]
    fn anything_else_is_refused() {
        let mut h = Handshake::new();
        let e = h.feed(b"GET / HTTP/1.1\r\n").unwrap_err();
        assert!(e.to_string().contains("not RFB 3.3 to 3.8"), "{e}");

        let mut h = Handshake::new();
        h.feed(b"RFB 003.008\n").unwrap();
        let e = h.feed(&[2]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the browser chose security type 2, which was not offered"
        );
        assert!(!h.done());
    }
}
