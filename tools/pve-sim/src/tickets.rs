//! Ticket sign-in, the alternative to API tokens: `POST /access/ticket` with a user's password
//! gives a ticket (sent back as the `PVEAuthCookie` cookie) and a `CSRFPreventionToken`, which
//! every call other than a GET must carry as a header. Follows pve-access-control
//! (`PVE::API2::AccessControl::create_ticket`, `PVE::AccessControl::verify_ticket`: tickets last
//! two hours; `verify_csrf_prevention_token`) and pve-http-server (`PVE::APIServer::AnyEvent`:
//! the cookie, and the CSRF header checked for every method but GET).

use sha2::{Digest, Sha256};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The PVE user (realm `pve`) that may sign in with a password.
pub const USER: &str = "vmportal@pve";
pub const PASSWORD: &str = "Portal Password 42";

struct Issued {
    ticket: String,
    csrf: String,
    at: Instant,
}

#[derive(Default)]
pub(crate) struct Tickets {
    issued: Vec<Issued>,
    serial: u64,
}

/// Why a ticket did not sign a request in.
pub(crate) enum Refused {
    /// Unknown or expired ticket.
    Ticket,
    /// A valid ticket, but a call other than GET without its CSRF token.
    Csrf,
}

impl Tickets {
    /// A new ticket and CSRF token for `USER`, when `password` is right.
    pub(crate) fn sign_in(&mut self, username: &str, password: &str) -> Option<(String, String)> {
        if username != USER || password != PASSWORD {
            return None;
        }
        self.serial += 1;
        let time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        let sign = |what: &str| {
            let digest = Sha256::digest(format!("{what}{time}{}", self.serial));
            const BASE64: &[u8] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            digest
                .iter()
                .map(|b| BASE64[usize::from(b % 64)] as char)
                .collect::<String>()
        };
        let ticket = format!("PVE:{USER}:{time:08X}::{}", sign("ticket"));
        let csrf = format!("{time:08X}:{}", sign("csrf"));
        self.issued.push(Issued {
            ticket: ticket.clone(),
            csrf: csrf.clone(),
            at: Instant::now(),
        });
        Some((ticket, csrf))
    }

    /// Checks a request's ticket and, for any method but GET, its CSRF token.
    pub(crate) fn check(
        &self,
        ticket: &str,
        csrf: Option<&str>,
        get: bool,
        lifetime: Duration,
    ) -> Result<(), Refused> {
        let issued = self
            .issued
            .iter()
            .find(|i| i.ticket == ticket && i.at.elapsed() < lifetime)
            .ok_or(Refused::Ticket)?;
        match get || csrf == Some(issued.csrf.as_str()) {
            true => Ok(()),
            false => Err(Refused::Csrf),
        }
    }
}
