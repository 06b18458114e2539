//! View-only consoles: the browser-to-guest half of the RFB stream, parsed message by message so
//! that input never reaches the guest. The handshake and the messages that only ask the server for
//! something (pixel format, encodings, framebuffer updates, fences, continuous updates) pass; every
//! input (KeyEvent, PointerEvent, ClientCutText, and the extensions that carry keys, pointer moves
//! or change the guest: QEMU's extended key event, xvp, SetDesktopSize, GII) is dropped. Anything
//! the parser does not know ends the console: it fails closed.
//!
//! Message layouts: RFC 6143 §7.1 and §7.5, and the community extensions in the RFB protocol
//! wiki (rfbproto).

/// What the filter refused; the console ends with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the viewer speaks an RFB version the view-only console does not support")]
    Version,
    #[error("the viewer chose a security type the view-only console does not support")]
    Security,
    #[error("the viewer sent a message the view-only console does not know (type {0})")]
    Message(u8),
}

/// Kinds of input dropped, for the metric's label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Key,
    Pointer,
    Clipboard,
    /// SetDesktopSize, xvp, GII: they act on the guest too.
    Other,
}

impl Input {
    pub fn label(self) -> &'static str {
        match self {
            Input::Key => "key",
            Input::Pointer => "pointer",
            Input::Clipboard => "clipboard",
            Input::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Version,
    Security,
    VncAuth,
    ClientInit,
    Messages,
}

enum Step {
    /// Not enough bytes yet to decide.
    Need,
    Pass(usize),
    Drop(u64, Input),
}

pub struct Filter {
    phase: Phase,
    /// Bytes of a message not complete yet (small: the largest passed message is SetEncodings).
    buf: Vec<u8>,
    /// Bytes of a dropped message still to come.
    skip: u64,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            phase: Phase::Version,
            buf: Vec::new(),
            skip: 0,
        }
    }
}

impl Filter {
    /// Appends to `out` what of `data` may reach the guest; calls `dropped` for each input dropped.
    pub fn feed(
        &mut self,
        mut data: &[u8],
        out: &mut Vec<u8>,
        mut dropped: impl FnMut(Input),
    ) -> Result<(), Refused> {
        loop {
            if self.skip > 0 {
                let n = self.skip.min(data.len() as u64);
                self.skip -= n;
                data = &data[n as usize..];
                if self.skip > 0 {
                    return Ok(());
                }
            }
            self.buf.extend_from_slice(data);
            data = &[];
            if self.buf.is_empty() {
                return Ok(());
            }
            match self.step()? {
                Step::Need => return Ok(()),
                Step::Pass(n) => out.extend(self.buf.drain(..n)),
                Step::Drop(len, input) => {
                    dropped(input);
                    let have = (len.min(self.buf.len() as u64)) as usize;
                    self.buf.drain(..have);
                    self.skip = len - have as u64;
                }
            }
        }
    }

    fn step(&mut self) -> Result<Step, Refused> {
        let b = &self.buf;
        let need = |n: usize| b.len() < n;
        let pass = |phase: &mut Phase, n: usize, next: Phase| {
            *phase = next;
            Step::Pass(n)
        };
        Ok(match self.phase {
            Phase::Version => {
                if need(12) {
                    return Ok(Step::Need);
                }
                match &b[..12] {
                    b"RFB 003.007\n" | b"RFB 003.008\n" => {
                        pass(&mut self.phase, 12, Phase::Security)
                    }
                    // 3.3 lets the server choose the security type, which this half cannot see.
                    _ => return Err(Refused::Version),
                }
            }
            Phase::Security => match b[0] {
                1 => pass(&mut self.phase, 1, Phase::ClientInit),
                2 => pass(&mut self.phase, 1, Phase::VncAuth),
                _ => return Err(Refused::Security),
            },
            Phase::VncAuth if need(16) => Step::Need,
            Phase::VncAuth => pass(&mut self.phase, 16, Phase::ClientInit),
            Phase::ClientInit => pass(&mut self.phase, 1, Phase::Messages),
            Phase::Messages => message(b)?,
        })
    }
}

fn u16_at(b: &[u8], at: usize) -> usize {
    u16::from_be_bytes([b[at], b[at + 1]]) as usize
}

/// The next client message: how long it is and whether it passes.
fn message(b: &[u8]) -> Result<Step, Refused> {
    // Passes once `n` bytes are here.
    let whole = |n: usize| {
        if b.len() < n {
            Step::Need
        } else {
            Step::Pass(n)
        }
    };
    Ok(match b[0] {
        0 => whole(20), // SetPixelFormat
        2 if b.len() < 4 => Step::Need,
        2 => whole(4 + 4 * u16_at(b, 2)), // SetEncodings
        3 => whole(10),                   // FramebufferUpdateRequest
        4 => Step::Drop(8, Input::Key),
        5 => Step::Drop(6, Input::Pointer),
        6 if b.len() < 8 => Step::Need,
        // ClientCutText; a negative length is the extended clipboard's, its size the absolute.
        6 => {
            let len = i32::from_be_bytes([b[4], b[5], b[6], b[7]]).unsigned_abs();
            Step::Drop(8 + u64::from(len), Input::Clipboard)
        }
        150 => whole(10), // EnableContinuousUpdates
        248 if b.len() < 9 => Step::Need,
        248 => whole(9 + b[8] as usize),    // ClientFence
        250 => Step::Drop(4, Input::Other), // xvp: shutdown, reboot, reset
        251 if b.len() < 8 => Step::Need,
        251 => Step::Drop(8 + 16 * b[6] as u64, Input::Other), // SetDesktopSize
        253 if b.len() < 4 => Step::Need,
        // GII: the length's byte order is given by the top bit of the second byte.
        253 => {
            let len = if b[1] & 0x80 != 0 {
                u16::from_be_bytes([b[2], b[3]])
            } else {
                u16::from_le_bytes([b[2], b[3]])
            };
            Step::Drop(4 + u64::from(len), Input::Other)
        }
        255 if b.len() < 2 => Step::Need,
        255 => match b[1] {
            0 => Step::Drop(12, Input::Key), // QEMU extended key event
            1 if b.len() < 4 => Step::Need,
            // QEMU audio: enable, disable (4 bytes), set format (10 bytes).
            1 => match u16_at(b, 2) {
                0 | 1 => whole(4),
                2 => whole(10),
                _ => return Err(Refused::Message(255)),
            },
            _ => return Err(Refused::Message(255)),
        },
        t => return Err(Refused::Message(t)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HANDSHAKE: &[u8] = b"RFB 003.008\n\x01\x01";
    const UPDATE_REQUEST: [u8; 10] = [3, 1, 0, 0, 0, 0, 0x04, 0x00, 0x03, 0x00];
    const KEY_A_DOWN: [u8; 8] = [4, 1, 0, 0, 0, 0, 0, 0x61];
    const POINTER: [u8; 6] = [5, 1, 0, 10, 0, 20];

    fn cut_text(text: &[u8]) -> Vec<u8> {
        let mut m = vec![6, 0, 0, 0];
        m.extend((text.len() as u32).to_be_bytes());
        m.extend(text);
        m
    }

    fn set_encodings(list: &[i32]) -> Vec<u8> {
        let mut m = vec![2, 0];
        m.extend((list.len() as u16).to_be_bytes());
        for e in list {
            m.extend(e.to_be_bytes());
        }
        m
    }

    /// What a viewer sends: handshake, encodings, an update request, then typing and a paste.
    fn session() -> (Vec<u8>, Vec<u8>) {
        let mut sent = HANDSHAKE.to_vec();
        let mut kept = HANDSHAKE.to_vec();
        let encodings = set_encodings(&[0, 1, 7, -223, -239, -258]);
        for m in [encodings.as_slice(), &UPDATE_REQUEST] {
            sent.extend(m);
            kept.extend(m);
        }
        sent.extend(KEY_A_DOWN);
        sent.extend(POINTER);
        sent.extend(cut_text(b"rm -rf /\n"));
        sent.extend([255, 0, 0, 1, 0, 0, 0, 0x61, 0, 0, 0, 0x1e]); // QEMU key event
        sent.extend(UPDATE_REQUEST);
        kept.extend(UPDATE_REQUEST);
        (sent, kept)
    }

    fn run(chunks: impl Iterator<Item = Vec<u8>>) -> (Vec<u8>, Vec<Input>) {
        let mut f = Filter::default();
        let (mut out, mut dropped) = (Vec::new(), Vec::new());
        for c in chunks {
            f.feed(&c, &mut out, |i| dropped.push(i)).unwrap();
        }
        (out, dropped)
    }

    #[test]
    fn input_is_dropped_and_requests_pass() {
        let (sent, kept) = session();
        let (out, dropped) = run(std::iter::once(sent));
        assert_eq!(out, kept);
        use Input::*;
        assert_eq!(dropped, [Key, Pointer, Clipboard, Key]);
    }

    #[test]
    fn any_split_gives_the_same_result() {
        let (sent, kept) = session();
        for size in 1..sent.len() {
            let (out, dropped) = run(sent.chunks(size).map(<[u8]>::to_vec));
            assert_eq!(out, kept, "chunks of {size}");
            assert_eq!(dropped.len(), 4, "chunks of {size}");
        }
    }

    #[test]
    fn a_huge_paste_is_skipped_without_being_held() {
        let mut f = Filter::default();
        let mut out = Vec::new();
        f.feed(HANDSHAKE, &mut out, |_| {}).unwrap();
        out.clear();
        let mut head = vec![6, 0, 0, 0];
        head.extend(100_000_000u32.to_be_bytes());
        f.feed(&head, &mut out, |_| {}).unwrap();
        f.feed(&vec![b'x'; 1 << 20], &mut out, |_| {}).unwrap();
        assert!(out.is_empty());
        assert!(f.buf.is_empty());
    }

    #[test]
    fn unknown_things_end_the_console() {
        let mut f = Filter::default();
        let mut out = Vec::new();
        assert_eq!(
            f.feed(b"RFB 003.003\n", &mut out, |_| {}),
            Err(Refused::Version)
        );
        let mut f = Filter::default();
        assert_eq!(
            f.feed(b"RFB 003.008\n\x13", &mut out, |_| {}),
            Err(Refused::Security)
        );
        let mut f = Filter::default();
        let mut bytes = HANDSHAKE.to_vec();
        bytes.push(99);
        assert_eq!(f.feed(&bytes, &mut out, |_| {}), Err(Refused::Message(99)));
    }
}
