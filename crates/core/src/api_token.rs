//! Personal API tokens, for scripts: `Authorization: Bearer <token>`. Only the SHA-256 of a token
//! is stored; the token is shown once, when it is made.

use crate::{
    Invalid, Timestamp,
    ids::{ApiTokenId, UserId},
    msg,
};
use serde::Serialize;

/// A token as its owner sees it in the list (never the secret).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: ApiTokenId,
    #[serde(skip)]
    pub user_id: UserId,
    pub name: TokenName,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Updated at most once a minute.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub last_used_at: Option<Timestamp>,
    /// No expiry when absent.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub expires_at: Option<Timestamp>,
}

#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub user_id: UserId,
    pub name: TokenName,
    pub token_hash: String,
    pub expires_at: Option<Timestamp>,
}

/// What a token is for, in its owner's words: `ci`, `grading script`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct TokenName(String);

impl TokenName {
    pub const MAX: usize = 64;

    pub fn parse(field: &str, raw: &str) -> Result<TokenName, Invalid> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(Invalid::field(field, msg("err-required")));
        }
        if name.chars().count() > Self::MAX {
            return Err(Invalid::field(
                field,
                msg("err-too-long").arg("max", Self::MAX),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(Invalid::field(field, msg("err-control-characters")));
        }
        Ok(TokenName(name.to_owned()))
    }

    /// A name read back from the store, which only ever holds parsed names.
    pub fn from_trusted(name: String) -> TokenName {
        TokenName(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TokenName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How long a new token lives: whole days, at most two years, or without end.
pub fn lifetime_days(field: &str, days: Option<i64>) -> Result<Option<time::Duration>, Invalid> {
    match days {
        None => Ok(None),
        Some(d @ 1..=730) => Ok(Some(time::Duration::days(d))),
        Some(_) => Err(Invalid::field(field, msg("err-token-days"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_lifetimes_parse() {
        assert_eq!(TokenName::parse("name", "  ci ").unwrap().as_str(), "ci");
        assert!(TokenName::parse("name", " ").is_err());
        assert!(TokenName::parse("name", &"x".repeat(65)).is_err());
        assert!(TokenName::parse("name", "a\nb").is_err());
        assert_eq!(lifetime_days("d", None).unwrap(), None);
        assert_eq!(
            lifetime_days("d", Some(30)).unwrap(),
            Some(time::Duration::days(30))
        );
        assert!(lifetime_days("d", Some(0)).is_err());
        assert!(lifetime_days("d", Some(731)).is_err());
    }
}
