//! vmportal's `Directory` on LDAP (tested against OpenLDAP): people sign in with their directory
//! password, and membership of two configured groups makes them administrators or users. TLS is
//! rustls with ring, over `ldaps://` or StartTLS.

mod config;
mod directory;
mod filter;
mod tls;

pub use config::{LdapConfig, Secret};
pub use directory::LdapDirectory;
