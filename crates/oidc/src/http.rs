//! The HTTP client `openidconnect` calls: the workspace's reqwest, no redirects followed (a
//! provider's endpoints answer directly; following would let a redirect reach elsewhere).

use openidconnect::{HttpRequest, HttpResponse, http};
use std::{path::Path, sync::Arc, time::Duration};

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error(transparent)]
    Request(#[from] reqwest::Error),
    #[error(transparent)]
    Response(#[from] http::Error),
}

pub fn client(ca_file: Option<&Path>, timeout: Duration) -> Result<reqwest::Client, String> {
    // reqwest is built without a crypto provider of its own; ring is the workspace's.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(timeout)
        .timeout(timeout);
    let builder = match ca_file {
        Some(file) => builder.tls_backend_preconfigured(trusting(file)?),
        None => builder,
    };
    builder
        .build()
        .map_err(|e| format!("building the HTTPS client: {e}"))
}

/// A TLS configuration that trusts exactly the certificates in `ca_file`.
fn trusting(ca_file: &Path) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let shown = ca_file.display();
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_file)
        .map_err(|e| format!("cannot read oidc.ca_file {shown}: {e}"))?
    {
        let cert = cert.map_err(|e| format!("oidc.ca_file {shown}: {e}"))?;
        roots
            .add(cert)
            .map_err(|e| format!("oidc.ca_file {shown}: {e}"))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

pub async fn send(
    client: reqwest::Client,
    request: HttpRequest,
) -> Result<HttpResponse, HttpError> {
    let (parts, body) = request.into_parts();
    let answer = client
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let mut response = http::Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        response = response.header(name, value);
    }
    let body = answer.bytes().await?;
    Ok(response.body(body.to_vec())?)
}
