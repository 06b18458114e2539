//! vmportal's domain: the types that parse, the state machines, the authorization rules and the
//! `Store`, `Directory` and `IdentityProvider` traits. Nothing here knows about HTTP, SQL, LDAP or hypervisors.

pub mod api_token;
pub mod audit;
pub mod authz;
pub mod clock;
pub mod console;
pub mod course;
pub mod directory;
pub mod error;
pub mod error_id;
pub mod hypervisor;
pub mod ids;
pub mod job;
pub mod lang;
pub mod lease;
pub mod machine;
pub mod message;
pub mod names;
pub mod notification;
pub mod password;
pub mod preferences;
pub mod quota;
pub mod request;
pub mod resources;
pub mod second_factor;
pub mod secret;
pub mod snapshot;
pub mod sso;
pub mod store;
pub mod template;
pub mod user;
pub mod windows;

pub use error::{FieldError, Invalid};
pub use error_id::error_id;
pub use lang::Lang;
pub use message::{Arg, Msg, msg};
pub use time::OffsetDateTime as Timestamp;

/// Now, truncated to whole seconds: that is what the store keeps, so values compare equal after a
/// round trip.
pub fn now() -> Timestamp {
    let t = time::OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap_or(t)
}
