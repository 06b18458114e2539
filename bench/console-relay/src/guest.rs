//! The "guest": a loopback TCP server standing for a VM's VNC server. Each connection's first
//! bytes (sent by the client through whatever relay) say what it does: a command byte and a u64.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// What a VNC server writes at once: framebuffer updates come in big writes.
const BLOCK: usize = 64 * 1024;

#[derive(Clone, Copy)]
pub enum Command {
    /// Send this many bytes (0: without end) in `BLOCK` writes.
    Source(u64),
    /// Read everything, counting it in `Counters::received[slot]`.
    Sink(usize),
    /// Send back what comes.
    Echo,
}

impl Command {
    pub fn bytes(self) -> [u8; 9] {
        let (op, n) = match self {
            Command::Source(n) => (b'S', n),
            Command::Sink(slot) => (b'K', slot as u64),
            Command::Echo => (b'E', 0),
        };
        let mut out = [0u8; 9];
        out[0] = op;
        out[1..].copy_from_slice(&n.to_le_bytes());
        out
    }

    fn parse(raw: [u8; 9]) -> Option<Command> {
        let n = u64::from_le_bytes(raw[1..].try_into().expect("8 bytes"));
        match raw[0] {
            b'S' => Some(Command::Source(n)),
            b'K' => Some(Command::Sink((n as usize).min(SLOTS - 1))),
            b'E' => Some(Command::Echo),
            _ => None,
        }
    }
}

/// Sinks counted apart: one per target measured at the same time.
pub const SLOTS: usize = 8;

/// Bytes the guest wrote over all connections, and read by sink slot.
#[derive(Default)]
pub struct Counters {
    pub written: AtomicU64,
    pub received: [AtomicU64; SLOTS],
}

pub async fn serve(listener: TcpListener, counters: Arc<Counters>) {
    while let Ok((stream, _)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(stream, counters.clone()));
    }
}

async fn connection(mut stream: TcpStream, counters: Arc<Counters>) {
    let mut raw = [0u8; 9];
    if stream.read_exact(&mut raw).await.is_err() {
        return;
    }
    match Command::parse(raw) {
        Some(Command::Source(total)) => {
            let block = vec![0x5a; BLOCK];
            let mut sent = 0u64;
            while total == 0 || sent < total {
                let n = if total == 0 {
                    BLOCK
                } else {
                    BLOCK.min((total - sent) as usize)
                };
                if stream.write_all(&block[..n]).await.is_err() {
                    return;
                }
                sent += n as u64;
                counters.written.fetch_add(n as u64, Ordering::Relaxed);
            }
            // Stay open until the client goes, as a VNC server would.
            let _ = stream.read(&mut [0u8; 1]).await;
        }
        Some(Command::Sink(slot)) => {
            let mut buf = vec![0u8; 256 * 1024];
            while let Ok(n) = stream.read(&mut buf).await
                && n > 0
            {
                counters.received[slot].fetch_add(n as u64, Ordering::Relaxed);
            }
        }
        Some(Command::Echo) => {
            let (mut r, mut w) = stream.split();
            let _ = tokio::io::copy(&mut r, &mut w).await;
        }
        None => {}
    }
}
