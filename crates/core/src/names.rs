//! Names that parse: once a value of these types exists, it is valid.

use crate::{Invalid, msg};
use serde::Serialize;

/// A login name, usable as a Linux account name on the guests: lower case, starts with a letter,
/// then letters, digits, `.`, `_` or `-`, at most 32 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim();
        let ok_chars = s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        let starts = s.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        if s.is_empty() {
            Err(Invalid::field(field, msg("err-required")))
        } else if s.len() > 32 {
            Err(Invalid::field(field, msg("err-too-long").arg("max", 32)))
        } else if !starts || !ok_chars {
            Err(Invalid::field(field, msg("err-username")))
        } else {
            Ok(Username(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For values read back from the store, which only ever holds parsed names.
    pub fn from_trusted(s: String) -> Self {
        Username(s)
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A machine name that is a valid host name label (RFC 1123): 1 to 63 characters of a-z, 0-9 and
/// `-`, not starting or ending with `-`. Upper case input is folded to lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Hostname(String);

impl Hostname {
    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err(Invalid::field(field, msg("err-required")));
        }
        if s.len() > 63 {
            return Err(Invalid::field(field, msg("err-too-long").arg("max", 63)));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(Invalid::field(field, msg("err-hostname-chars")));
        }
        if s.starts_with('-') || s.ends_with('-') {
            return Err(Invalid::field(field, msg("err-hostname-dash")));
        }
        if s.chars().all(|c| c.is_ascii_digit()) {
            return Err(Invalid::field(field, msg("err-hostname-digits")));
        }
        Ok(Hostname(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn from_trusted(s: String) -> Self {
        Hostname(s)
    }
}

impl std::fmt::Display for Hostname {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A short free text (display name, purpose, reason...): trimmed, bounded, no control characters.
pub fn text(field: &str, raw: &str, required: bool, max_chars: usize) -> Result<String, Invalid> {
    let s = raw.trim();
    if required && s.is_empty() {
        return Err(Invalid::field(field, msg("err-required")));
    }
    if s.chars().count() > max_chars {
        return Err(Invalid::field(
            field,
            msg("err-too-long").arg("max", max_chars),
        ));
    }
    if s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Invalid::field(field, msg("err-control-characters")));
    }
    // What a lossy decoder puts for bytes that were not UTF-8 (forms are decoded so): refused
    // rather than kept as garbage.
    if s.contains(char::REPLACEMENT_CHARACTER) {
        return Err(Invalid::field(field, msg("err-utf8")));
    }
    Ok(s.to_owned())
}

/// A one-line text (a name, a path): like [`text`], and no line breaks or tabs either, which could
/// forge lines wherever it is shown or logged.
pub fn line(field: &str, raw: &str, required: bool, max_chars: usize) -> Result<String, Invalid> {
    let s = text(field, raw, required, max_chars)?;
    if s.chars().any(char::is_control) {
        return Err(Invalid::field(field, msg("err-one-line")));
    }
    Ok(s)
}

/// An e-mail address, checked loosely (one `@`, something on each side, no spaces): the directory
/// or the administrator is the authority, the portal only refuses obvious typos.
pub fn email(field: &str, raw: &str) -> Result<Option<String>, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let valid = s.len() <= 254
        && !s.chars().any(char::is_whitespace)
        && s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        });
    if valid {
        Ok(Some(s.to_owned()))
    } else {
        Err(Invalid::field(field, msg("err-email")))
    }
}

/// An OpenSSH public key line (`ssh-ed25519 AAAA... comment`), one key. Empty means none.
pub fn ssh_public_key(field: &str, raw: &str) -> Result<Option<String>, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    const TYPES: [&str; 6] = [
        "ssh-ed25519",
        "ssh-rsa",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
    ];
    let mut parts = s.split_whitespace();
    let kind = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    let base64 = |b: &str| {
        !b.is_empty()
            && b.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"+/=".contains(&c))
    };
    if s.len() > 8192 || s.lines().count() != 1 || !TYPES.contains(&kind) || !base64(body) {
        return Err(Invalid::field(field, msg("err-ssh-key")));
    }
    Ok(Some(s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames() {
        for ok in ["web1", "a", "lab-03", "Mixed-Case"] {
            assert!(Hostname::parse("name", ok).is_ok(), "{ok}");
        }
        assert_eq!(
            Hostname::parse("name", "Mixed-Case").unwrap().as_str(),
            "mixed-case"
        );
        for bad in ["", "-a", "a-", "a_b", "a.b", "123", "é", &"x".repeat(64)] {
            let err = Hostname::parse("name", bad).unwrap_err();
            assert_eq!(err.0[0].field, "name", "{bad}");
        }
    }

    #[test]
    fn usernames() {
        for ok in ["alice", "j.doe", "x_1", "bob-2"] {
            assert!(Username::parse("username", ok).is_ok(), "{ok}");
        }
        for bad in ["", "Alice", "1abc", "a b", "a*)(uid=*", &"a".repeat(33)] {
            assert!(Username::parse("username", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_and_text() {
        assert_eq!(email("email", "").unwrap(), None);
        assert!(email("email", "a@b.org").unwrap().is_some());
        assert!(email("email", "nope").is_err());
        assert!(email("email", "a@b").is_err());
        assert!(text("purpose", "  ", true, 10).is_err());
        assert!(text("purpose", "abcdefghijk", false, 10).is_err());
        assert!(text("purpose", "bell\u{7}", false, 10).is_err());
        assert_eq!(text("purpose", " ok ", true, 10).unwrap(), "ok");
        assert_eq!(ssh_public_key("k", " ").unwrap(), None);
        assert!(
            ssh_public_key("k", "ssh-ed25519 AAAAC3Nza me@laptop")
                .unwrap()
                .is_some()
        );
        for bad in [
            "AAAA",
            "ssh-dss AAAA",
            "ssh-ed25519 not*base64",
            "ssh-ed25519 AAAA\nssh-ed25519 BBBB",
        ] {
            assert!(ssh_public_key("k", bad).is_err(), "{bad}");
        }
    }
}
