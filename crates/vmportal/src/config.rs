//! Configuration: the embedded defaults, then the file given with `--config`, then environment
//! variables `VMPORTAL_<SECTION>__<KEY>`, each overriding the one before.

use figment::{
    Figment,
    providers::{Env, Format, Toml},
};
use serde::Deserialize;
use std::{collections::BTreeMap, net::SocketAddr, path::Path};
use vmportal_ldap::LdapConfig;
use vmportal_libvirt::LibvirtConfig;
use vmportal_oidc::OidcConfig;
use vmportal_proxmox::ProxmoxConfig;
use vmportal_web::WebConfig;
use vmportal_worker::{EngineConfig, MailConfig};

pub const DEFAULTS: &str = include_str!("../default.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub web: WebConfig,
    /// Sign-in through a directory; absent: local accounts only.
    #[serde(default)]
    pub ldap: Option<LdapConfig>,
    /// Single sign-on: one `[[oidc]]` table per OpenID provider.
    #[serde(default)]
    pub oidc: Vec<OidcConfig>,
    pub secrets: SecretsConfig,
    pub engine: EngineConfig,
    /// The SMTP relay for notifications; absent: no mail.
    #[serde(default)]
    pub mail: Option<MailConfig>,
    #[serde(default)]
    pub providers: Vec<ProviderConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    pub key_file: std::path::PathBuf,
}

/// A hypervisor, by kind, each with its own provider crate.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProviderConfig {
    Libvirt(NamedLibvirt),
    Proxmox(NamedProxmox),
}

impl ProviderConfig {
    pub fn name(&self) -> &str {
        match self {
            ProviderConfig::Libvirt(p) => &p.name,
            ProviderConfig::Proxmox(p) => &p.name,
        }
    }

    /// `flatten` turns `deny_unknown_fields` off, so keys nobody reads are collected and refused
    /// here: a misspelt setting must not be silently ignored. A libvirt provider's hosts are
    /// checked too.
    fn check_known(&self) -> Result<(), String> {
        let unknown = match self {
            ProviderConfig::Libvirt(p) => {
                p.libvirt
                    .validate()
                    .map_err(|e| format!("provider '{}': {e}", p.name))?;
                &p.unknown
            }
            ProviderConfig::Proxmox(p) => &p.unknown,
        };
        match unknown.keys().map(String::as_str).collect::<Vec<_>>() {
            keys if keys.is_empty() => Ok(()),
            keys => Err(format!(
                "provider '{}': unknown field(s) {}",
                self.name(),
                keys.join(", ")
            )),
        }
    }
}

type Unknown = BTreeMap<String, serde::de::IgnoredAny>;

#[derive(Debug, Deserialize)]
pub struct NamedProxmox {
    pub name: String,
    /// Boxed: far larger than the other kinds.
    #[serde(flatten)]
    pub proxmox: Box<ProxmoxConfig>,
    #[serde(flatten)]
    unknown: Unknown,
}

#[derive(Debug, Deserialize)]
pub struct NamedLibvirt {
    pub name: String,
    #[serde(flatten)]
    pub libvirt: LibvirtConfig,
    #[serde(flatten)]
    unknown: Unknown,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: SocketAddr,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub url: String,
}

impl Config {
    pub fn load(file: Option<&Path>) -> Result<Config, String> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(format!(
                    "configuration file {} does not exist",
                    path.display()
                ));
            }
            figment = figment.merge(Toml::file(path));
        }
        let config: Config = figment
            // VMPORTAL_CONFIG names the file (clap reads it); it is no setting.
            .merge(Env::prefixed("VMPORTAL_").ignore(&["config"]).split("__"))
            .extract()
            .map_err(|e| format!("invalid configuration: {e}"))?;
        config
            .web
            .validate()
            .and_then(|()| config.engine.validate())
            .and_then(|()| config.ldap.as_ref().map_or(Ok(()), LdapConfig::validate))
            .and_then(|()| config.oidc.iter().try_for_each(OidcConfig::validate))
            .and_then(|()| unique_oidc_ids(&config.oidc))
            .and_then(|()| {
                config
                    .providers
                    .iter()
                    .try_for_each(ProviderConfig::check_known)
            })
            .map_err(|e| format!("invalid configuration: {e}"))?;
        Ok(config)
    }
}

/// Each provider's id is its URL: two with one id would answer for each other.
fn unique_oidc_ids(providers: &[OidcConfig]) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    match providers.iter().find(|p| !seen.insert(p.id.as_str())) {
        Some(p) => Err(format!("two [[oidc]] providers have the id {:?}", p.id)),
        None => Ok(()),
    }
}
