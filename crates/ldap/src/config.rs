//! The `[ldap]` settings. Defaults fit an OpenLDAP directory with `inetOrgPerson` people and
//! `groupOfNames` groups; only the URL, the bases and the two groups must always be given.

use serde::Deserialize;
use std::{fmt, path::PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LdapConfig {
    /// `ldap://host:389` or `ldaps://host:636`.
    pub url: String,
    /// Upgrade an `ldap://` connection with StartTLS before anything is sent.
    #[serde(default)]
    pub starttls: bool,
    /// PEM file of the CA(s) that signed the server's certificate; the system's roots otherwise.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Account the portal binds as to search; empty for an anonymous search.
    #[serde(default)]
    pub bind_dn: String,
    #[serde(default)]
    pub bind_password: Secret,
    /// Where people are searched (subtree).
    pub base_dn: String,
    /// `{username}` is replaced by the escaped name typed at sign-in.
    #[serde(default = "default_user_filter")]
    pub user_filter: String,
    #[serde(default = "default_username_attribute")]
    pub username_attribute: String,
    #[serde(default = "default_display_name_attribute")]
    pub display_name_attribute: String,
    #[serde(default = "default_email_attribute")]
    pub email_attribute: String,
    /// Where groups are searched (subtree); `base_dn` when empty.
    #[serde(default)]
    pub group_base_dn: String,
    /// `{dn}` is replaced by the person's escaped DN, `{username}` by their escaped login name
    /// (for `posixGroup`: `(&(objectClass=posixGroup)(memberUid={username}))`).
    #[serde(default = "default_group_filter")]
    pub group_filter: String,
    /// The attribute that names a group, as `admin_group` and `user_group` spell it.
    #[serde(default = "default_group_name_attribute")]
    pub group_name_attribute: String,
    /// The group attribute that lists its members, for course rosters: DNs (`member` of
    /// `groupOfNames`) or login names (`memberUid` of `posixGroup`).
    #[serde(default = "default_group_member_attribute")]
    pub group_member_attribute: String,
    /// Members of this group are administrators.
    pub admin_group: String,
    /// Members of this group are users; members of neither group cannot sign in.
    pub user_group: String,
    /// Limit for connecting and for each whole sign-in or lookup.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_user_filter() -> String {
    "(&(objectClass=inetOrgPerson)(uid={username}))".into()
}
fn default_username_attribute() -> String {
    "uid".into()
}
fn default_display_name_attribute() -> String {
    "cn".into()
}
fn default_email_attribute() -> String {
    "mail".into()
}
fn default_group_member_attribute() -> String {
    "member".into()
}
fn default_group_filter() -> String {
    "(&(objectClass=groupOfNames)(member={dn}))".into()
}
fn default_group_name_attribute() -> String {
    "cn".into()
}
fn default_timeout_secs() -> u64 {
    5
}

/// A password from the configuration: deserialized like a string, never shown by `Debug`.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}

impl LdapConfig {
    /// Settings for a directory at `url` with these bases and groups, the rest at their defaults.
    pub fn new(url: &str, base_dn: &str, admin_group: &str, user_group: &str) -> Self {
        LdapConfig {
            url: url.into(),
            starttls: false,
            ca_file: None,
            bind_dn: String::new(),
            bind_password: Secret::default(),
            base_dn: base_dn.into(),
            user_filter: default_user_filter(),
            username_attribute: default_username_attribute(),
            display_name_attribute: default_display_name_attribute(),
            email_attribute: default_email_attribute(),
            group_base_dn: String::new(),
            group_filter: default_group_filter(),
            group_name_attribute: default_group_name_attribute(),
            group_member_attribute: default_group_member_attribute(),
            admin_group: admin_group.into(),
            user_group: user_group.into(),
            timeout_secs: default_timeout_secs(),
        }
    }

    /// Refuses settings that cannot work, naming each problem.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        let ldaps = self.url.starts_with("ldaps://");
        if !(ldaps || self.url.starts_with("ldap://")) {
            problems.push("ldap.url must start with ldap:// or ldaps://");
        }
        if ldaps && self.starttls {
            problems.push("ldap.starttls is for ldap:// URLs; ldaps:// is already encrypted");
        }
        if self.bind_dn.is_empty() != self.bind_password.0.is_empty() {
            problems.push("ldap.bind_dn and ldap.bind_password go together");
        }
        if self.base_dn.trim().is_empty() {
            problems.push("ldap.base_dn is required");
        }
        if !self.user_filter.contains("{username}") {
            problems.push("ldap.user_filter must contain {username}");
        }
        if !(self.group_filter.contains("{dn}") || self.group_filter.contains("{username}")) {
            problems.push("ldap.group_filter must contain {dn} or {username}");
        }
        let attributes = [
            &self.username_attribute,
            &self.display_name_attribute,
            &self.email_attribute,
            &self.group_name_attribute,
            &self.group_member_attribute,
        ];
        if attributes.iter().any(|a| a.trim().is_empty()) {
            problems.push("ldap attribute names must not be empty");
        }
        if self.admin_group.trim().is_empty() || self.user_group.trim().is_empty() {
            problems.push("ldap.admin_group and ldap.user_group are required");
        }
        if self.timeout_secs == 0 {
            problems.push("ldap.timeout_secs must be at least 1");
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    pub fn group_base(&self) -> &str {
        if self.group_base_dn.is_empty() {
            &self.base_dn
        } else {
            &self.group_base_dn
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_mistakes_are_named() {
        let ok = LdapConfig::new("ldap://127.0.0.1:389", "dc=x", "admins", "users");
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(ok.group_base(), "dc=x");
        let bad = LdapConfig {
            url: "ldaps://h".into(),
            starttls: true,
            bind_dn: "cn=svc".into(),
            user_filter: "(uid=alice)".into(),
            group_filter: "(member=x)".into(),
            timeout_secs: 0,
            ..LdapConfig::new("ldap://h", " ", "", "users")
        };
        let message = bad.validate().unwrap_err();
        for part in [
            "starttls",
            "bind_password",
            "base_dn",
            "user_filter",
            "group_filter",
            "admin_group",
            "timeout_secs",
        ] {
            assert!(message.contains(part), "{part}: {message}");
        }
        let wrong_scheme = LdapConfig::new("http://h", "dc=x", "a", "u");
        assert!(wrong_scheme.validate().unwrap_err().contains("ldap.url"));
    }

    #[test]
    fn the_bind_password_never_shows_in_debug_output() {
        let mut c = LdapConfig::new("ldap://h", "dc=x", "a", "u");
        c.bind_password = Secret("hunter2-hunter2".into());
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
