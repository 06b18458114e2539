//! The settings the web layer needs. The binary reads them from its TOML file and environment.

use serde::{Deserialize, Serialize};
use std::{net::IpAddr, path::PathBuf};
use vmportal_core::{Lang, quota::Quota, user::Role};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// The URL people reach the portal at; its scheme decides the cookie's `Secure` flag and its
    /// origin is trusted for cross-origin checks.
    pub public_url: String,
    /// Reverse proxies whose `X-Forwarded-For` is believed for the client address.
    pub trusted_proxies: Vec<IpAddr>,
    pub sessions: SessionConfig,
    pub login: LoginConfig,
    pub quotas: RoleQuotas,
    pub console: ConsoleConfig,
    /// The language of people who chose none and whose browser asks for none the portal speaks.
    pub default_language: Lang,
}

/// The browser console's relay.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsoleConfig {
    /// How long a console ticket can be used after it was minted.
    pub ticket_secs: i64,
    /// A console with no traffic either way for this long is closed.
    pub idle_secs: u64,
    /// How often an open console checks that its machine still runs and its session still lives.
    pub check_secs: u64,
    /// noVNC as `scripts/novnc.sh` installs it; the console page loads its modules from here.
    pub novnc_dir: PathBuf,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            ticket_secs: 30,
            idle_secs: 900,
            check_secs: 5,
            novnc_dir: "crates/web/novnc/node_modules/@novnc/novnc".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    /// A session unused this long ends.
    pub idle_minutes: i64,
    /// No session lives longer than this, used or not.
    pub max_hours: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginConfig {
    /// Sign-in attempts allowed per client address per minute.
    pub per_ip_per_minute: u32,
    /// Sign-in attempts allowed per username per minute, whatever the address.
    pub per_user_per_minute: u32,
}

/// Default quota of each role; administrators can override it per user.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoleQuotas {
    pub user: Quota,
    pub admin: Quota,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            public_url: "http://127.0.0.1:8080".into(),
            trusted_proxies: Vec::new(),
            sessions: SessionConfig::default(),
            login: LoginConfig::default(),
            quotas: RoleQuotas::default(),
            console: ConsoleConfig::default(),
            default_language: Lang::En,
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle_minutes: 120,
            max_hours: 7 * 24,
        }
    }
}

impl Default for LoginConfig {
    fn default() -> Self {
        LoginConfig {
            per_ip_per_minute: 30,
            per_user_per_minute: 10,
        }
    }
}

impl Default for RoleQuotas {
    fn default() -> Self {
        RoleQuotas {
            user: Quota {
                machines: 3,
                cpus: 8,
                memory_mib: 16 * 1024,
                disk_gib: 200,
            },
            admin: Quota {
                machines: 20,
                cpus: 64,
                memory_mib: 128 * 1024,
                disk_gib: 2000,
            },
        }
    }
}

impl RoleQuotas {
    pub fn for_role(&self, role: Role) -> Quota {
        match role {
            Role::Admin => self.admin,
            Role::User => self.user,
        }
    }
}

impl WebConfig {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// Refuses settings that would make the portal misbehave, naming each.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems: Vec<String> = origin_problem(&self.public_url).into_iter().collect();
        if self.sessions.idle_minutes < 1 || self.sessions.max_hours < 1 {
            problems
                .push("sessions.idle_minutes and sessions.max_hours must be at least 1".to_owned());
        }
        if self.login.per_ip_per_minute == 0 || self.login.per_user_per_minute == 0 {
            problems.push("login limits must be at least 1 per minute".to_owned());
        }
        let c = &self.console;
        if c.ticket_secs < 1 || c.idle_secs < 1 || c.check_secs < 1 {
            problems.push(
                "console.ticket_secs, console.idle_secs and console.check_secs must be at least 1"
                    .to_owned(),
            );
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

/// Why `url` is not an origin as browsers send it in `Origin` (scheme, lower-case host, optional
/// port, nothing after): the cross-origin check compares the two verbatim.
fn origin_problem(url: &str) -> Option<String> {
    let Some(host) = ["https://", "http://"]
        .iter()
        .find_map(|scheme| url.strip_prefix(scheme))
    else {
        return Some("public_url must start with http:// or https://".to_owned());
    };
    let host = host.strip_suffix('/').unwrap_or(host);
    let plain = !host.is_empty()
        && !host.contains(['/', '?', '#', '@'])
        && host == host.to_ascii_lowercase();
    (!plain).then(|| {
        format!(
            "public_url must be an origin such as https://portal.example.org (lower case, \
             a port if needed, no path): {url}"
        )
    })
}
