//! What each person chose on *My account*: the language of the portal and of their mail, and which
//! mail they want. Kept apart from the account itself: it is theirs to change, not an
//! administrator's.

use crate::Lang;
use serde::{Deserialize, Serialize};

/// Which mail a person gets; everything is on until they turn it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Notifications {
    /// Approvers: a new request to decide.
    pub new_request: bool,
    /// Approvers: one mail a day listing the pending requests instead of one per request.
    pub daily_digest: bool,
    /// Owners: a request approved or rejected, with the reason.
    pub decision: bool,
    /// Owners: a machine built and ready, with a link to it.
    pub machine_ready: bool,
    /// Owners: an action on a machine failed.
    pub job_failed: bool,
    /// Owners: a lease about to end, ended, or a machine about to be deleted.
    pub lease: bool,
}

impl Default for Notifications {
    fn default() -> Self {
        Notifications {
            new_request: true,
            daily_digest: false,
            decision: true,
            machine_ready: true,
            job_failed: true,
            lease: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preferences {
    /// `None`: the browser's choice (`Accept-Language`), else the portal's default.
    pub language: Option<Lang>,
    #[serde(default)]
    pub notifications: Notifications,
}
