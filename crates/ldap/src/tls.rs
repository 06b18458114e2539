//! TLS for `ldaps://` and StartTLS: rustls with ring, and the configured CA file when there is one.

use rustls::{
    ClientConfig, RootCertStore,
    pki_types::{CertificateDer, pem::PemObject},
};
use std::{path::Path, sync::Arc};

/// rustls needs a process-wide crypto provider before any TLS configuration is built (ldap3 builds
/// its own when no CA file is given). Installing twice is harmless: the first one stays.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A client configuration that trusts exactly the certificates in `ca_file`.
pub fn client_config(ca_file: &Path) -> Result<Arc<ClientConfig>, String> {
    let shown = ca_file.display();
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_file)
        .map_err(|e| format!("cannot read ldap.ca_file {shown}: {e}"))?
    {
        let cert = cert.map_err(|e| format!("ldap.ca_file {shown}: {e}"))?;
        roots
            .add(cert)
            .map_err(|e| format!("ldap.ca_file {shown}: {e}"))?;
    }
    if roots.is_empty() {
        return Err(format!("ldap.ca_file {shown} holds no certificate"));
    }
    Ok(Arc::new(
        ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    ))
}
