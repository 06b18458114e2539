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
    /// Directory members with sessions or API tokens are looked up again when their last check
    /// is this old; gone from the directory or its groups, all of them end. 0: at every request.
    pub directory_recheck_minutes: i64,
}

/// Sign-in throttling (see `auth::limiter`): only failures count, per (username, client address)
/// and per client address (IPv6 by /64); past the free ones each attempt waits twice as long as
/// the last, from `first_delay_secs` up to `max_delay_secs`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginConfig {
    /// Failed sign-ins of one name from one address before delays begin.
    pub free_failures: u32,
    /// Failed sign-ins from one address, whatever the names, before delays begin.
    pub free_failures_per_address: u32,
    pub first_delay_secs: u64,
    pub max_delay_secs: u64,
    /// Failures this long ago are forgotten.
    pub forget_after_minutes: u64,
    /// Password hashes computed at once (each takes one core for tens of milliseconds).
    pub concurrent_hashes: usize,
    /// Sign-ins waiting for a hash beyond those; more are answered 503 at once.
    pub queued_hashes: usize,
    /// Who must set up two-factor sign-in (local accounts): `nobody`, `admins` or `everyone`.
    pub totp_required: vmportal_core::second_factor::Required,
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
            // ASVS 4.0 level 2 (3.3.2): 30 minutes idle, 12 hours at most.
            idle_minutes: 30,
            max_hours: 12,
            directory_recheck_minutes: 60,
        }
    }
}

impl Default for LoginConfig {
    fn default() -> Self {
        LoginConfig {
            free_failures: 5,
            free_failures_per_address: 30,
            first_delay_secs: 1,
            max_delay_secs: 300,
            forget_after_minutes: 60,
            concurrent_hashes: 1,
            queued_hashes: 32,
            totp_required: vmportal_core::second_factor::Required::Nobody,
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
        if !(0..=60).contains(&self.sessions.directory_recheck_minutes) {
            problems.push("sessions.directory_recheck_minutes must be 0 to 60".to_owned());
        }
        let l = &self.login;
        if l.first_delay_secs < 1 || l.max_delay_secs < l.first_delay_secs {
            problems.push(
                "login.first_delay_secs must be at least 1 and login.max_delay_secs no less"
                    .to_owned(),
            );
        }
        if l.concurrent_hashes < 1 || l.forget_after_minutes < 1 {
            problems.push(
                "login.concurrent_hashes and login.forget_after_minutes must be at least 1"
                    .to_owned(),
            );
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
