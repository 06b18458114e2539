//! One `[[oidc]]` provider's settings.

use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// Short name in the portal's URLs: `/login/sso/{id}`, and its redirect URI
    /// `{public_url}/login/sso/{id}/callback` registered at the provider.
    pub id: String,
    /// The sign-in page's button says "Sign in with {label}".
    pub label: String,
    /// The issuer URL; its `/.well-known/openid-configuration` says everything else.
    pub issuer: String,
    pub client_id: String,
    /// The name of the environment variable holding the client secret (never in the file);
    /// absent for a public client, which PKCE alone protects.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// Asked for beside `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The ID token claim holding the portal username.
    #[serde(default = "default_username_claim")]
    pub username_claim: String,
    /// The ID token claim holding the person's groups (a list of names).
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
    /// Members of this group are administrators.
    #[serde(default)]
    pub admin_group: Option<String>,
    /// Members of this group are users; absent: everyone the provider signs in is a user.
    #[serde(default)]
    pub user_group: Option<String>,
    /// PEM file of the CA(s) that signed the provider's certificate; the system's roots otherwise.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Limit for each request to the provider.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_scopes() -> Vec<String> {
    vec!["profile".into(), "email".into()]
}
fn default_username_claim() -> String {
    "preferred_username".into()
}
fn default_groups_claim() -> String {
    "groups".into()
}
fn default_timeout_secs() -> u64 {
    10
}

impl OidcConfig {
    /// Refuses settings that cannot work, naming each.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 32
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !id_ok {
            problems.push(format!(
                "oidc.id must be 1 to 32 lower-case letters, digits or dashes: {:?}",
                self.id
            ));
        }
        if !self.issuer.starts_with("https://") {
            problems.push(format!(
                "oidc.issuer must be an https:// URL: {}",
                self.issuer
            ));
        }
        if self.client_id.is_empty() || self.label.is_empty() {
            problems.push(format!(
                "oidc {}: client_id and label are required",
                self.id
            ));
        }
        if let Some(var) = &self.client_secret_env
            && std::env::var_os(var).is_none()
        {
            problems.push(format!(
                "oidc {}: the environment variable {var} (client_secret_env) is not set",
                self.id
            ));
        }
        if self.timeout_secs == 0 {
            problems.push(format!("oidc {}: timeout_secs must be at least 1", self.id));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}
