//! Whether each configured provider's endpoint answers at all: its socket or TCP port accepts a
//! connection. An API-level check comes with each provider's own crate.

use crate::config::{ProviderConfig, ProviderKind};
use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ProviderStatus {
    pub name: String,
    pub kind: ProviderKind,
    pub uri: String,
    pub reachable: bool,
    /// What was tried and what happened.
    pub detail: String,
}

const TIMEOUT: Duration = Duration::from_secs(3);

pub async fn statuses(providers: &[ProviderConfig]) -> Vec<ProviderStatus> {
    let mut out = Vec::with_capacity(providers.len());
    for p in providers {
        let (reachable, detail) = probe(p).await;
        out.push(ProviderStatus {
            name: p.name.clone(),
            kind: p.kind,
            uri: p.uri.clone(),
            reachable,
            detail,
        });
    }
    out
}

async fn probe(p: &ProviderConfig) -> (bool, String) {
    match target(p) {
        Target::InProcess => (true, "in-process test driver".into()),
        Target::Unix(path) => answer(
            &path,
            tokio::time::timeout(TIMEOUT, tokio::net::UnixStream::connect(&path)).await,
        ),
        Target::Tcp(addr) => answer(
            &addr,
            tokio::time::timeout(TIMEOUT, tokio::net::TcpStream::connect(&addr)).await,
        ),
        Target::Unknown(why) => (false, why),
    }
}

fn answer<T>(
    what: &str,
    r: Result<std::io::Result<T>, tokio::time::error::Elapsed>,
) -> (bool, String) {
    match r {
        Ok(Ok(_)) => (true, format!("{what} accepts connections")),
        Ok(Err(e)) => (false, format!("{what}: {e}")),
        Err(_) => (
            false,
            format!("{what}: no answer within {} s", TIMEOUT.as_secs()),
        ),
    }
}

enum Target {
    InProcess,
    Unix(String),
    Tcp(String),
    Unknown(String),
}

/// Where a provider URI points: libvirt's local socket, an SSH or TLS port, or an HTTPS API.
fn target(p: &ProviderConfig) -> Target {
    let Some((scheme, rest)) = p.uri.split_once("://") else {
        return Target::Unknown(format!("not a URI: {}", p.uri));
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let host_port = authority
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(authority);
    let with_port = |default: u16| {
        if host_port.contains(':') {
            host_port.to_owned()
        } else {
            format!("{host_port}:{default}")
        }
    };
    match (p.kind, scheme) {
        (ProviderKind::Libvirt, "test") => Target::InProcess,
        (ProviderKind::Libvirt, "qemu") if host_port.is_empty() => {
            Target::Unix(if rest.ends_with("/session") {
                "/run/user/0/libvirt/libvirt-sock".into()
            } else {
                "/var/run/libvirt/libvirt-sock".into()
            })
        }
        (ProviderKind::Libvirt, s) if s.ends_with("+ssh") => Target::Tcp(with_port(22)),
        (ProviderKind::Libvirt, s) if s.ends_with("+tls") || s == "qemu" => {
            Target::Tcp(with_port(16514))
        }
        (ProviderKind::Libvirt, s) if s.ends_with("+tcp") => Target::Tcp(with_port(16509)),
        (ProviderKind::Proxmox, "https") => Target::Tcp(with_port(8006)),
        _ => Target::Unknown(format!("unsupported URI scheme {scheme} for {:?}", p.kind)),
    }
}
