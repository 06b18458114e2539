//! A cluster CA and a node certificate made at start, as a PVE cluster has: clients either trust
//! the CA file or pin the node certificate's SHA-256 fingerprint.

use axum::serve::Listener;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, server::TlsStream};

/// Handshakes run one at a time in `accept`; a silent client must not hold the rest up for long.
const HANDSHAKE: std::time::Duration = std::time::Duration::from_secs(5);

pub struct Certs {
    pub ca_pem: String,
    /// `AA:BB:...`, as `ssl_fingerprint` in `GET /nodes`.
    pub fingerprint: String,
    pub config: Arc<rustls::ServerConfig>,
}

pub fn generate() -> Certs {
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Proxmox Virtual Environment (pve-sim)");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().expect("CA key")).expect("CA");

    let node_key = KeyPair::generate().expect("node key");
    let mut node =
        CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).expect("node params");
    node.distinguished_name.push(DnType::CommonName, "pve1");
    let node = node.signed_by(&node_key, &ca).expect("node certificate");

    let fingerprint = Sha256::digest(node.der())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(node_key.serialize_der()));
    let chain: Vec<CertificateDer<'static>> = vec![node.der().clone(), ca.der().clone()];
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server certificate");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Certs {
        ca_pem: ca.pem(),
        fingerprint,
        config: Arc::new(config),
    }
}

/// TCP plus TLS for `axum::serve`; can drop new connections on purpose, and cut open ones
/// (fault injection).
pub struct TlsListener {
    pub tcp: TcpListener,
    pub acceptor: TlsAcceptor,
    pub drop_next: Arc<AtomicUsize>,
    /// Bumped to cut every connection open now, as a restarted server would.
    pub cuts: Arc<AtomicUsize>,
}

/// A connection that fails its next read once the listener's `cuts` moved past the value it was
/// accepted under: the client's request on it gets no answer, the connection closes.
pub struct Cuttable {
    tls: TlsStream<TcpStream>,
    accepted_under: usize,
    cuts: Arc<AtomicUsize>,
}

impl AsyncRead for Cuttable {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.cuts.load(Ordering::SeqCst) != self.accepted_under {
            return Poll::Ready(Err(std::io::ErrorKind::ConnectionReset.into()));
        }
        Pin::new(&mut self.tls).poll_read(cx, buf)
    }
}

impl AsyncWrite for Cuttable {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.tls).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tls).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tls).poll_shutdown(cx)
    }
}

impl Listener for TlsListener {
    type Io = Cuttable;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            // A failed handshake (a client that does not trust us) ends that connection only.
            let handshake = tokio::time::timeout(HANDSHAKE, self.acceptor.accept(tcp));
            let Ok(Ok(tls)) = handshake.await else {
                continue;
            };
            let drop = self
                .drop_next
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
            if drop.is_ok() {
                continue;
            }
            let conn = Cuttable {
                tls,
                accepted_under: self.cuts.load(Ordering::SeqCst),
                cuts: self.cuts.clone(),
            };
            return (conn, addr);
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}
