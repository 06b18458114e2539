//! The sign-in directory: built from `[ldap]`, and `vmportal ldap test USERNAME`.

use std::sync::Arc;
use vmportal_core::directory::{Directory, DirectoryEntry};
use vmportal_ldap::{LdapConfig, LdapDirectory};

pub fn open(config: LdapConfig) -> Result<Arc<dyn Directory>, String> {
    let directory =
        LdapDirectory::new(config).map_err(|e| format!("invalid configuration: {e}"))?;
    Ok(Arc::new(directory))
}

/// Prints what `username` resolves to, as the sign-in would see it but without a password; fails
/// when there is no directory, it cannot be asked, or it has no such person.
pub async fn test(config: Option<LdapConfig>, username: &str) -> Result<(), String> {
    let config = config.ok_or("no directory is configured: add an [ldap] section")?;
    let url = config.url.clone();
    let entry = open(config)?
        .lookup(username)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("{url} has no entry for {username:?}"))?;
    print!("{}", describe(&entry));
    Ok(())
}

fn describe(e: &DirectoryEntry) -> String {
    let groups = if e.groups.is_empty() {
        "none".to_owned()
    } else {
        e.groups.join(", ")
    };
    let role = e.role.map_or_else(
        || "none (in no allowed group: cannot sign in)".to_owned(),
        |r| r.to_string(),
    );
    format!(
        "dn: {}\nusername: {}\ndisplay name: {}\nemail: {}\ngroups: {groups}\nrole: {role}\n",
        e.dn,
        e.username,
        e.display_name,
        e.email.as_deref().unwrap_or("none"),
    )
}
