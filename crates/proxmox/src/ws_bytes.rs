//! A websocket seen as a byte stream: each write is one binary message of at most 128 KiB (one
//! frame: the node refuses fragmented ones), reads return the binary messages' bytes in order, and the peer's
//! close is the end of the stream.

use futures_util::{Sink, Stream};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::{Bytes, Error, Message};

pub struct WsBytes<S> {
    ws: WebSocketStream<S>,
    /// The rest of the message being read.
    unread: Bytes,
}

impl<S> WsBytes<S> {
    pub fn new(ws: WebSocketStream<S>) -> WsBytes<S> {
        WsBytes {
            ws,
            unread: Bytes::new(),
        }
    }
}

fn io_error(e: Error) -> io::Error {
    match e {
        Error::Io(e) => e,
        other => io::Error::other(other),
    }
}

type Ws<S> = WebSocketStream<S>;

/// The largest message sent to the node: pveproxy closes the websocket on a bigger frame
/// (128 KiB), and the browser's messages (a clipboard paste) may be up to 1 MiB.
const MAX_MESSAGE: usize = 128 * 1024;

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for WsBytes<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        while this.unread.is_empty() {
            match ready!(Pin::new(&mut this.ws).poll_next(cx)) {
                Some(Ok(Message::Binary(data))) => this.unread = data,
                // The end of the stream.
                Some(Ok(Message::Close(_))) | None => return Poll::Ready(Ok(())),
                // Pings are answered by tungstenite; VNC never comes as text.
                Some(Ok(_)) => {}
                Some(Err(e)) => return Poll::Ready(Err(io_error(e))),
            }
        }
        let n = this.unread.len().min(buf.remaining());
        buf.put_slice(&this.unread.split_to(n));
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for WsBytes<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let ws = &mut self.get_mut().ws;
        // Ready once what was queued before has gone out: a bounded write buffer.
        ready!(<Ws<S> as Sink<Message>>::poll_ready(Pin::new(ws), cx)).map_err(io_error)?;
        // A partial write: the caller sends the rest as further messages.
        let n = buf.len().min(MAX_MESSAGE);
        let message = Message::Binary(Bytes::copy_from_slice(&buf[..n]));
        Pin::new(ws).start_send(message).map_err(io_error)?;
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        <Ws<S> as Sink<Message>>::poll_flush(Pin::new(&mut self.get_mut().ws), cx).map_err(io_error)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        <Ws<S> as Sink<Message>>::poll_close(Pin::new(&mut self.get_mut().ws), cx).map_err(io_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::{SinkExt, StreamExt};
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, duplex};
    use tokio_tungstenite::tungstenite::protocol::Role;

    /// The adapter on one end of an in-memory connection with `capacity` bytes of buffer, and a
    /// plain websocket (the node) on the other.
    async fn pair(capacity: usize) -> (WsBytes<DuplexStream>, WebSocketStream<DuplexStream>) {
        let (a, b) = duplex(capacity);
        let ours = WebSocketStream::from_raw_socket(a, Role::Client, None).await;
        let node = WebSocketStream::from_raw_socket(b, Role::Server, None).await;
        (WsBytes::new(ours), node)
    }

    #[tokio::test]
    async fn messages_become_bytes_and_writes_become_messages() {
        let (mut ours, mut node) = pair(1 << 16).await;
        ours.write_all(b"RFB 003.008\n").await.unwrap();
        ours.flush().await.unwrap();
        let m = node.next().await.unwrap().unwrap();
        assert_eq!(
            m,
            Message::binary(b"RFB 003.008\n".to_vec()),
            "one write, one message"
        );

        for m in [&b"RFB 003.008\n"[..], b"", b"\x01\x02"] {
            node.send(Message::binary(m.to_vec())).await.unwrap();
        }
        node.send(Message::text("not VNC")).await.unwrap();
        node.send(Message::Close(None)).await.unwrap();
        let mut got = Vec::new();
        ours.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"RFB 003.008\n\x01\x02", "the close ends the stream");
    }

    #[tokio::test]
    async fn a_reader_that_stops_stalls_the_node_instead_of_buffering() {
        let (mut ours, mut node) = pair(64 * 1024).await;
        const MESSAGES: usize = 64;
        let sending = tokio::spawn(async move {
            for _ in 0..MESSAGES {
                node.send(Message::binary(vec![7u8; 1 << 20]))
                    .await
                    .unwrap();
            }
            node
        });
        // Nobody reads: the node gets no further than what the connection holds.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!sending.is_finished(), "64 MiB went nowhere");
        let mut got = 0;
        let mut buf = vec![0u8; 1 << 16];
        while got < MESSAGES << 20 {
            got += ours.read(&mut buf).await.unwrap();
        }
        sending.await.unwrap();
    }
}
