//! `LdapDirectory`: sign-in by search and bind. The search account finds the person by the
//! configured filter and reads their groups; then a bind as that person checks the password. Each
//! sign-in or lookup uses a connection of its own, closed afterwards.

use crate::{config::LdapConfig, filter::fill, tls};
use async_trait::async_trait;
use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, LdapError, Scope, SearchEntry};
use rustls::ClientConfig;
use std::{future::Future, sync::Arc, time::Duration};
use vmportal_core::{
    directory::{Directory, DirectoryEntry, DirectoryError},
    user::Role,
};

/// LDAP result codes (RFC 4511): a refused bind, an entry that does not exist.
const INVALID_CREDENTIALS: u32 = 49;
const NO_SUCH_OBJECT: u32 = 32;

pub struct LdapDirectory {
    config: LdapConfig,
    tls: Option<Arc<ClientConfig>>,
    timeout: Duration,
}

impl LdapDirectory {
    /// Checks the settings and reads the CA file; connects only when asked something.
    pub fn new(config: LdapConfig) -> Result<Self, String> {
        config.validate()?;
        tls::install_crypto_provider();
        let tls = config
            .ca_file
            .as_deref()
            .map(tls::client_config)
            .transpose()?;
        Ok(LdapDirectory {
            timeout: Duration::from_secs(config.timeout_secs),
            config,
            tls,
        })
    }

    /// A connection (TLS as configured), bound as the search account if there is one.
    async fn connect(&self) -> Result<Ldap, DirectoryError> {
        let mut settings = LdapConnSettings::new()
            .set_conn_timeout(self.timeout)
            .set_starttls(self.config.starttls);
        if let Some(tls) = &self.tls {
            settings = settings.set_config(tls.clone());
        }
        let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &self.config.url)
            .await
            .map_err(|e| classify(&format!("connecting to {}", self.config.url), e))?;
        ldap3::drive!(conn);
        if !self.config.bind_dn.is_empty() {
            ldap.simple_bind(&self.config.bind_dn, &self.config.bind_password.0)
                .await
                .and_then(|r| r.success())
                .map_err(|e| match result_code(&e) {
                    Some(INVALID_CREDENTIALS) => DirectoryError::Misconfigured(
                        "the directory refused ldap.bind_dn with ldap.bind_password".into(),
                    ),
                    _ => classify("binding as ldap.bind_dn", e),
                })?;
        }
        Ok(ldap)
    }

    /// The person `username` names and their groups, as the search account sees them.
    async fn find(
        &self,
        ldap: &mut Ldap,
        username: &str,
    ) -> Result<Option<DirectoryEntry>, DirectoryError> {
        let c = &self.config;
        let filter = fill(&c.user_filter, &[("username", username)]);
        let attributes = vec![
            c.username_attribute.as_str(),
            c.display_name_attribute.as_str(),
            c.email_attribute.as_str(),
        ];
        let (mut entries, _) = ldap
            .search(&c.base_dn, Scope::Subtree, &filter, attributes)
            .await
            .and_then(|r| r.success())
            .map_err(|e| classify("searching ldap.base_dn with ldap.user_filter", e))?;
        if entries.len() > 1 {
            return Err(DirectoryError::Misconfigured(format!(
                "ldap.user_filter matches {} entries for one username",
                entries.len()
            )));
        }
        let Some(entry) = entries.pop().map(SearchEntry::construct) else {
            return Ok(None);
        };
        let name = first(&entry, &c.username_attribute).ok_or_else(|| {
            DirectoryError::Misconfigured(format!(
                "{} has no {} attribute (ldap.username_attribute)",
                entry.dn, c.username_attribute
            ))
        })?;
        let groups = self.groups(ldap, &entry.dn, &name).await?;
        Ok(Some(DirectoryEntry {
            role: self.role_of(&groups),
            groups,
            display_name: first(&entry, &c.display_name_attribute).unwrap_or_else(|| name.clone()),
            email: first(&entry, &c.email_attribute),
            username: name,
            dn: entry.dn,
        }))
    }

    /// The person at `dn`, read with the user attributes; `None` when it is not a person
    /// (no username attribute) or is gone.
    async fn read_person(
        &self,
        ldap: &mut Ldap,
        dn: &str,
    ) -> Result<Option<DirectoryEntry>, DirectoryError> {
        let c = &self.config;
        let attributes = vec![
            c.username_attribute.as_str(),
            c.display_name_attribute.as_str(),
            c.email_attribute.as_str(),
        ];
        let entries = match ldap
            .search(dn, Scope::Base, "(objectClass=*)", attributes)
            .await
            .and_then(|r| r.success())
        {
            Ok((entries, _)) => entries,
            // noSuchObject: a member whose entry was deleted.
            Err(e) if result_code(&e) == Some(NO_SUCH_OBJECT) => return Ok(None),
            Err(e) => return Err(classify("reading a group member", e)),
        };
        Ok(entries.into_iter().next().and_then(|e| {
            let entry = SearchEntry::construct(e);
            let name = first(&entry, &c.username_attribute)?;
            Some(DirectoryEntry {
                display_name: first(&entry, &c.display_name_attribute)
                    .unwrap_or_else(|| name.clone()),
                email: first(&entry, &c.email_attribute),
                username: name,
                dn: entry.dn,
                groups: Vec::new(),
                role: None,
            })
        }))
    }

    async fn members(
        &self,
        ldap: &mut Ldap,
        group: &str,
    ) -> Result<Option<Vec<DirectoryEntry>>, DirectoryError> {
        let c = &self.config;
        let filter = fill(
            &format!("({}={{group}})", c.group_name_attribute),
            &[("group", group)],
        );
        let (entries, _) = ldap
            .search(
                c.group_base(),
                Scope::Subtree,
                &filter,
                vec![c.group_member_attribute.as_str()],
            )
            .await
            .and_then(|r| r.success())
            .map_err(|e| classify("searching the course's group", e))?;
        let Some(found) = entries.into_iter().next().map(SearchEntry::construct) else {
            return Ok(None);
        };
        let values = found
            .attrs
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&c.group_member_attribute))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let mut people = Vec::with_capacity(values.len());
        for value in values {
            // `member` holds DNs, `memberUid` login names.
            let person = if value.contains('=') {
                self.read_person(ldap, &value).await?
            } else {
                self.find(ldap, &value).await?
            };
            people.extend(person);
        }
        people.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(Some(people))
    }

    /// Names of the groups the filter finds for this person, sorted.
    async fn groups(
        &self,
        ldap: &mut Ldap,
        dn: &str,
        username: &str,
    ) -> Result<Vec<String>, DirectoryError> {
        let c = &self.config;
        let filter = fill(&c.group_filter, &[("dn", dn), ("username", username)]);
        let (entries, _) = ldap
            .search(
                c.group_base(),
                Scope::Subtree,
                &filter,
                vec![c.group_name_attribute.as_str()],
            )
            .await
            .and_then(|r| r.success())
            .map_err(|e| classify("searching groups with ldap.group_filter", e))?;
        let mut names: Vec<String> = entries
            .into_iter()
            .filter_map(|e| first(&SearchEntry::construct(e), &c.group_name_attribute))
            .collect();
        names.sort();
        Ok(names)
    }

    /// Group names compare without regard to case, as LDAP compares `cn`.
    fn role_of(&self, groups: &[String]) -> Option<Role> {
        let member = |group: &str| groups.iter().any(|g| g.eq_ignore_ascii_case(group));
        if member(&self.config.admin_group) {
            Some(Role::Admin)
        } else if member(&self.config.user_group) {
            Some(Role::User)
        } else {
            None
        }
    }

    /// Bounds a whole exchange, so a directory that accepts connections but never answers cannot
    /// hold a sign-in.
    async fn bounded<T>(
        &self,
        work: impl Future<Output = Result<T, DirectoryError>>,
    ) -> Result<T, DirectoryError> {
        tokio::time::timeout(self.timeout, work)
            .await
            .unwrap_or_else(|_| {
                Err(DirectoryError::Unavailable(format!(
                    "no answer within {} s",
                    self.timeout.as_secs()
                )))
            })
    }
}

#[async_trait]
impl Directory for LdapDirectory {
    async fn authenticate(
        &self,
        username: &str,
        password: &str,
    ) -> Result<DirectoryEntry, DirectoryError> {
        let username = username.trim();
        // A simple bind with an empty password is an anonymous bind, which succeeds for any DN:
        // refuse it before anything reaches the directory.
        if password.is_empty() || username.is_empty() {
            return Err(DirectoryError::BadCredentials);
        }
        self.bounded(async {
            let mut ldap = self.connect().await?;
            let entry = self
                .find(&mut ldap, username)
                .await?
                .ok_or(DirectoryError::BadCredentials)?;
            ldap.simple_bind(&entry.dn, password)
                .await
                .and_then(|r| r.success())
                .map_err(|e| match classify("binding as the user", e) {
                    // Wrong, locked or expired: every refusal of the person's own bind is theirs.
                    DirectoryError::Misconfigured(_) => DirectoryError::BadCredentials,
                    outage => outage,
                })?;
            let _ = ldap.unbind().await;
            if entry.role.is_none() {
                return Err(DirectoryError::NotAllowed);
            }
            Ok(entry)
        })
        .await
    }

    async fn lookup(&self, username: &str) -> Result<Option<DirectoryEntry>, DirectoryError> {
        let username = username.trim();
        if username.is_empty() {
            return Ok(None);
        }
        self.bounded(async {
            let mut ldap = self.connect().await?;
            let found = self.find(&mut ldap, username).await?;
            let _ = ldap.unbind().await;
            Ok(found)
        })
        .await
    }

    async fn group_members(
        &self,
        group: &str,
    ) -> Result<Option<Vec<DirectoryEntry>>, DirectoryError> {
        let group = group.trim();
        if group.is_empty() {
            return Ok(None);
        }
        self.bounded(async {
            let mut ldap = self.connect().await?;
            let found = self.members(&mut ldap, group).await?;
            let _ = ldap.unbind().await;
            Ok(found)
        })
        .await
    }
}

/// The first value of an attribute; attribute names compare without regard to case.
fn first(entry: &SearchEntry, attribute: &str) -> Option<String> {
    entry
        .attrs
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(attribute))
        .and_then(|(_, values)| values.first())
        .filter(|v| !v.is_empty())
        .cloned()
}

fn result_code(e: &LdapError) -> Option<u32> {
    match e {
        LdapError::LdapResult { result } => Some(result.rc),
        _ => None,
    }
}

/// Broken connections, TLS failures, time-outs and a busy or unavailable server are outages; any
/// other refusal means the settings do not fit the directory.
fn classify(doing: &str, e: LdapError) -> DirectoryError {
    let outage = match &e {
        LdapError::LdapResult { result } => matches!(result.rc, 3 | 51 | 52),
        LdapError::Io { .. }
        | LdapError::Timeout { .. }
        | LdapError::EndOfStream
        | LdapError::OpSend { .. }
        | LdapError::ResultRecv { .. }
        | LdapError::Rustls { .. } => true,
        _ => false,
    };
    let detail = format!("{doing}: {e}");
    if outage {
        DirectoryError::Unavailable(detail)
    } else {
        DirectoryError::Misconfigured(detail)
    }
}
