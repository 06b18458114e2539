//! The RFB (VNC) handshake, both halves the console needs: the portal authenticates to the
//! node's VNC server with the vncproxy password (VNC authentication: a DES-encrypted challenge),
//! then plays a server offering security type None to the browser ([`Fronted`]), so the password
//! never leaves the portal.

mod front;

pub use front::Fronted;

use des::Des;
use des::cipher::{BlockEncrypt, KeyInit, generic_array::GenericArray};
use std::io;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The version the portal speaks on both sides.
const VERSION: &[u8; 12] = b"RFB 003.008\n";
const SECURITY_NONE: u8 = 1;
const SECURITY_VNC: u8 = 2;
/// The longest failure reason read from a server: anything longer is not a VNC server.
const MAX_REASON: u32 = 4096;

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// `RFB xxx.yyy\n` -> (major, minor).
fn parse_version(v: &[u8]) -> Option<(u16, u16)> {
    let v = std::str::from_utf8(v).ok()?;
    let (major, minor) = v
        .strip_prefix("RFB ")?
        .strip_suffix('\n')?
        .split_once('.')?;
    let number = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    Some((number(major)?, number(minor)?))
}

/// Runs the client half of the handshake up to a successful SecurityResult: what follows on
/// `server` is ClientInit, sent by the browser.
pub async fn authenticate<S>(server: &mut S, password: &[u8]) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut version = [0u8; 12];
    server.read_exact(&mut version).await?;
    match parse_version(&version) {
        Some((3, minor)) if minor >= 8 => {}
        _ => {
            return Err(invalid(format!(
                "the VNC server speaks {:?}, not RFB 3.8",
                String::from_utf8_lossy(&version)
            )));
        }
    }
    send(server, VERSION).await?;
    let count = server.read_u8().await?;
    if count == 0 {
        let why = reason(server).await?;
        return Err(invalid(format!(
            "the VNC server refused the connection: {why}"
        )));
    }
    let mut types = vec![0u8; count.into()];
    server.read_exact(&mut types).await?;
    if types.contains(&SECURITY_NONE) {
        send(server, &[SECURITY_NONE]).await?;
    } else if types.contains(&SECURITY_VNC) {
        send(server, &[SECURITY_VNC]).await?;
        let mut challenge = [0u8; 16];
        server.read_exact(&mut challenge).await?;
        send(server, &vnc_response(password, &challenge)).await?;
    } else {
        return Err(invalid(format!(
            "the VNC server offers security types {types:?}; the portal speaks None (1) and VNC \
             authentication (2)"
        )));
    }
    match server.read_u32().await? {
        0 => Ok(()),
        _ => {
            let why = reason(server).await?;
            Err(invalid(format!(
                "the VNC server refused the password: {why}"
            )))
        }
    }
}

async fn send<S: AsyncWrite + Unpin>(server: &mut S, bytes: &[u8]) -> io::Result<()> {
    server.write_all(bytes).await?;
    server.flush().await
}

/// A failure reason: a length, then that many bytes of text.
async fn reason<S: AsyncRead + Unpin>(server: &mut S) -> io::Result<String> {
    let len = server.read_u32().await?;
    if len > MAX_REASON {
        return Err(invalid(format!("a {len}-byte failure reason")));
    }
    let mut text = vec![0u8; len as usize];
    server.read_exact(&mut text).await?;
    Ok(String::from_utf8_lossy(&text).into_owned())
}

/// VNC authentication's answer: the challenge DES-encrypted with the password as the key (its
/// first 8 bytes, zero-padded), each key byte's bits in reverse order as the first VNC code had it.
pub fn vnc_response(password: &[u8], challenge: &[u8; 16]) -> [u8; 16] {
    let mut key = [0u8; 8];
    for (k, p) in key.iter_mut().zip(password) {
        *k = p.reverse_bits();
    }
    let des = Des::new(GenericArray::from_slice(&key));
    let mut out = *challenge;
    for block in out.chunks_exact_mut(8) {
        des.encrypt_block(GenericArray::from_mut_slice(block));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::duplex;

    #[test]
    fn the_response_is_des_with_the_mirrored_password() {
        // Computed with OpenSSL: `openssl enc -des-ecb -nopad -K 0a86ceceee0c4e26` (the key is
        // "Passw0rd" with each byte's bits reversed) over the bytes 0..16.
        let challenge: [u8; 16] = std::array::from_fn(|i| i as u8);
        let expected = "1b295f9e55e78a9fda2b8b47bef764df";
        let hex: String = vnc_response(b"Passw0rd", &challenge)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, expected);
        // Only the first eight bytes count.
        assert_eq!(
            vnc_response(b"Passw0rd and more", &challenge),
            vnc_response(b"Passw0rd", &challenge)
        );
    }

    #[test]
    fn versions_parse_strictly() {
        assert_eq!(parse_version(b"RFB 003.008\n"), Some((3, 8)));
        assert_eq!(parse_version(b"RFB 003.889\n"), Some((3, 889)));
        assert_eq!(parse_version(b"RFB 003.008 "), None);
        assert_eq!(parse_version(b"RFB 0+3.008\n"), None);
        assert_eq!(parse_version(b"HTTP/1.1 200"), None);
    }

    /// A VNC server on the other end of `io` requiring `password`; answers the result.
    async fn server(mut io: tokio::io::DuplexStream, types: &[u8], password: &[u8]) -> Vec<u8> {
        io.write_all(b"RFB 003.008\n").await.unwrap();
        let mut version = [0u8; 12];
        io.read_exact(&mut version).await.unwrap();
        assert_eq!(&version, VERSION);
        io.write_all(&[types.len() as u8]).await.unwrap();
        io.write_all(types).await.unwrap();
        let chosen = io.read_u8().await.unwrap();
        if chosen == SECURITY_VNC {
            let challenge = [7u8; 16];
            io.write_all(&challenge).await.unwrap();
            let mut response = [0u8; 16];
            io.read_exact(&mut response).await.unwrap();
            if response != vnc_response(password, &challenge) {
                io.write_all(&[0, 0, 0, 1, 0, 0, 0, 14]).await.unwrap();
                io.write_all(b"wrong password").await.unwrap();
                return vec![chosen];
            }
        }
        io.write_all(&[0, 0, 0, 0]).await.unwrap();
        // What follows the handshake reaches the server untouched.
        vec![chosen, io.read_u8().await.unwrap()]
    }

    #[tokio::test]
    async fn authenticates_with_the_password_or_with_none() {
        let (mut client, far) = duplex(1024);
        let srv = tokio::spawn(server(far, &[19, SECURITY_VNC], b"s3cret!!"));
        authenticate(&mut client, b"s3cret!!").await.unwrap();
        client.write_all(&[1]).await.unwrap();
        assert_eq!(srv.await.unwrap(), [SECURITY_VNC, 1]);

        let (mut client, far) = duplex(1024);
        let srv = tokio::spawn(server(far, &[SECURITY_VNC, SECURITY_NONE], b"unused"));
        authenticate(&mut client, b"").await.unwrap();
        client.write_all(&[0]).await.unwrap();
        assert_eq!(srv.await.unwrap(), [SECURITY_NONE, 0]);
    }

    /// QEMU's own VNC server (what a PVE VM's console is) with a password set over QMP, as
    /// vncproxy does: the other side of the DES is not ours.
    #[tokio::test]
    async fn authenticates_to_a_real_qemu_vnc_server() {
        use tokio::io::AsyncBufReadExt;
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("vnc.sock");
        let mut qemu = tokio::process::Command::new("qemu-system-x86_64")
            .args([
                "-machine",
                "none",
                "-display",
                "none",
                "-nodefaults",
                "-qmp",
                "stdio",
            ])
            .arg("-vnc")
            .arg(format!("unix:{},password=on", socket.display()))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("qemu-system-x86_64 (scripts/test installs it)");
        let mut qmp = qemu.stdin.take().unwrap();
        qmp.write_all(
            b"{\"execute\":\"qmp_capabilities\"}\n\
              {\"execute\":\"change-vnc-password\",\"arguments\":{\"password\":\"Pa55w0rd\"}}\n",
        )
        .await
        .unwrap();
        let mut answers = tokio::io::BufReader::new(qemu.stdout.take().unwrap()).lines();
        let mut returns = 0;
        while returns < 2 {
            let line = answers.next_line().await.unwrap().expect("QMP answers");
            assert!(!line.contains("\"error\""), "{line}");
            returns += usize::from(line.starts_with("{\"return\""));
        }
        let mut vnc = tokio::net::UnixStream::connect(&socket).await.unwrap();
        authenticate(&mut vnc, b"Pa55w0rd").await.unwrap();
        // ClientInit (shared); ServerInit starts with the framebuffer's size.
        send(&mut vnc, &[1]).await.unwrap();
        let (width, height) = (vnc.read_u16().await.unwrap(), vnc.read_u16().await.unwrap());
        assert!(width > 0 && height > 0, "{width}x{height}");

        let mut vnc = tokio::net::UnixStream::connect(&socket).await.unwrap();
        let e = authenticate(&mut vnc, b"guessed!").await.unwrap_err();
        assert!(
            e.to_string()
                .starts_with("the VNC server refused the password"),
            "{e}"
        );
        qemu.kill().await.unwrap();
    }

    #[tokio::test]
    async fn a_refusal_says_why() {
        let (mut client, far) = duplex(1024);
        let srv = tokio::spawn(server(far, &[SECURITY_VNC], b"the right one"));
        let e = authenticate(&mut client, b"a wrong one").await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "the VNC server refused the password: wrong password"
        );
        srv.await.unwrap();

        let (mut client, mut far) = duplex(1024);
        far.write_all(b"RFB 003.008\n\x01\x13").await.unwrap();
        let e = authenticate(&mut client, b"x").await.unwrap_err();
        assert!(e.to_string().contains("security types [19]"), "{e}");

        let (mut client, mut far) = duplex(1024);
        far.write_all(b"RFB 003.003\n").await.unwrap();
        let e = authenticate(&mut client, b"x").await.unwrap_err();
        assert!(e.to_string().contains("not RFB 3.8"), "{e}");

        let (mut client, mut far) = duplex(1024);
        far.write_all(b"RFB 003.008\n\x00\x00\x00\x00\x04busy")
            .await
            .unwrap();
        let e = authenticate(&mut client, b"x").await.unwrap_err();
        assert_eq!(e.to_string(), "the VNC server refused the connection: busy");
    }
}
