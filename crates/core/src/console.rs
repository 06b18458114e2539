//! Console tickets: one-use permissions to open a machine's console, bound to the user, the machine
//! and the session that asked for one. Only the SHA-256 of a ticket is stored.

use crate::{
    Timestamp,
    ids::{MachineId, UserId},
};

#[derive(Debug, Clone)]
pub struct NewConsoleTicket {
    pub ticket_hash: String,
    pub user_id: UserId,
    pub machine_id: MachineId,
    /// The hash of the session token that minted it: only that session may use it.
    pub session_hash: String,
    pub expires_at: Timestamp,
    /// The relay drops the browser's keyboard, mouse and clipboard.
    pub view_only: bool,
}

/// A ticket that was just used (and can never be used again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsedTicket {
    pub user_id: UserId,
    pub machine_id: MachineId,
    pub view_only: bool,
}
