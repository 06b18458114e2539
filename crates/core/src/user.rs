//! Portal accounts.

use crate::{Timestamp, ids::UserId, names::Username, quota::QuotaOverride};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    User,
}

/// Where the account's password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UserSource {
    Local,
    Ldap,
    /// Signed in at an OpenID provider; no password kept.
    Oidc,
}

/// An enum spelled as a fixed word in the API and the database, with the message that names it to
/// people (`label`).
macro_rules! str_enum {
    ($t:ty { $($v:ident => $s:literal as $label:expr),* $(,)? }) => {
        impl $t {
            pub fn label(&self) -> $crate::Msg {
                use $crate::msg;
                match self { $(Self::$v => $label),* }
            }
        }
        $crate::user::str_enum!($t { $($v => $s),* });
    };
    // Values people never read (sort keys, filters): no label to translate.
    ($t:ty { $($v:ident => $s:literal),* $(,)? }) => {
        impl $t {
            pub fn as_str(&self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }
        }
        impl std::str::FromStr for $t {
            type Err = $crate::Msg;
            fn from_str(s: &str) -> Result<Self, $crate::Msg> {
                match s {
                    $($s => Ok(Self::$v),)*
                    _ => Err($crate::msg("err-one-of").arg("choices", [$($s),*].join(", "))),
                }
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use str_enum;

str_enum!(Role {
    Admin => "admin" as msg("role-admin"),
    User => "user" as msg("role-user"),
});
str_enum!(UserSource {
    Local => "local" as msg("source-local"),
    Ldap => "ldap" as msg("source-ldap"),
    Oidc => "oidc" as msg("source-oidc"),
});

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    pub username: Username,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub source: UserSource,
    pub disabled: bool,
    pub quota_override: QuotaOverride,
    /// Put on the machines built for this user.
    pub ssh_public_key: Option<String>,
    /// The password was generated or reset by someone else: until the user changes it, only the
    /// password change (and signing out) is open to them.
    pub must_change_password: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// A user to create. The password hash is computed by the caller (off the async runtime).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub source: UserSource,
    pub password_hash: Option<String>,
    /// The password was generated: the user must change it at the next sign-in.
    pub must_change_password: bool,
}

/// A change to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub email: Option<Option<String>>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    pub password_hash: Option<String>,
    pub quota_override: Option<QuotaOverride>,
    /// `Some(None)` removes it.
    pub ssh_public_key: Option<Option<String>>,
    pub must_change_password: Option<bool>,
}

impl UserPatch {
    /// The names of the fields this patch changes, for the audit log (never the values of secrets).
    pub fn changed_fields(&self) -> Vec<&'static str> {
        [
            ("display_name", self.display_name.is_some()),
            ("email", self.email.is_some()),
            ("role", self.role.is_some()),
            ("disabled", self.disabled.is_some()),
            ("password", self.password_hash.is_some()),
            ("quota", self.quota_override.is_some()),
            ("ssh_public_key", self.ssh_public_key.is_some()),
            ("must_change_password", self.must_change_password.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}
