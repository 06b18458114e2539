//! Sign-ins waiting for their second factor: the password was right, the code is still to come.
//! The browser holds a random token for five minutes, until a code is accepted; wrong codes count
//! as failed sign-ins. Kept in this instance's
//! memory: behind several instances the second step must reach the same one (sticky sessions).

use super::new_token;
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};
use vmportal_core::ids::UserId;

const LIFETIME: Duration = Duration::from_secs(300);

#[derive(Default)]
pub struct PendingSignIns(Mutex<HashMap<String, (UserId, String, Instant)>>);

impl PendingSignIns {
    /// A token for the second step of `user`'s sign-in.
    pub fn start(&self, user: UserId, username: &str) -> String {
        let token = new_token();
        let mut pending = self.0.lock().unwrap_or_else(|p| p.into_inner());
        pending.retain(|_, (_, _, at)| at.elapsed() < LIFETIME);
        pending.insert(token.clone(), (user, username.to_owned(), Instant::now()));
        token
    }

    /// The user and username whose sign-in `token` continues, if it is live.
    pub fn get(&self, token: &str) -> Option<(UserId, String)> {
        let pending = self.0.lock().unwrap_or_else(|p| p.into_inner());
        pending
            .get(token)
            .filter(|(_, _, at)| at.elapsed() < LIFETIME)
            .map(|(user, name, _)| (*user, name.clone()))
    }

    /// The sign-in is done: the token is used up.
    pub fn finish(&self, token: &str) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(token);
    }
}
