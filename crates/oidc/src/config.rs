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
    /// absent (and no `client_secret_file`) for a public client, which PKCE alone protects.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// Or a file holding it (a systemd credential, a file of mode 0600); surrounding white space
    /// is ignored.
    #[serde(default)]
    pub client_secret_file: Option<PathBuf>,
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
    /// The client secret from the environment or its file; `None` for a public client.
    pub fn client_secret(&self) -> Result<Option<String>, String> {
        if let Some(var) = &self.client_secret_env {
            return std::env::var(var)
                .map(Some)
                .map_err(|_| format!("oidc {}: {var} is not set or not UTF-8", self.id));
        }
        match &self.client_secret_file {
            Some(file) => std::fs::read_to_string(file)
                .map(|s| Some(s.trim().to_owned()))
                .map_err(|e| format!("oidc {}: cannot read {}: {e}", self.id, file.display())),
            None => Ok(None),
        }
    }

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
            && var.starts_with("VMPORTAL_")
        {
            // Every VMPORTAL_* variable is read as a setting of the portal.
            problems.push(format!(
                "oidc {}: client_secret_env must not start with VMPORTAL_: {var}",
                self.id
            ));
        } else if let Some(var) = &self.client_secret_env
            && std::env::var_os(var).is_none()
        {
            problems.push(format!(
                "oidc {}: the environment variable {var} (client_secret_env) is not set",
                self.id
            ));
        }
        if self.client_secret_env.is_some() && self.client_secret_file.is_some() {
            problems.push(format!(
                "oidc {}: client_secret_env or client_secret_file, not both",
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
