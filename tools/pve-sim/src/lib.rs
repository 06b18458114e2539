//! A Proxmox VE API simulator: a stateful HTTPS server that checks every request and every answer
//! against the official schema and counts what does not conform.

pub mod api;
mod console;
pub mod node;
pub mod schema;
pub mod server;
mod snapshot;
pub mod sshd;
pub mod state;
pub mod tickets;
pub mod tls;
mod websocket;

pub use server::{Sim, TOKEN_ID, TOKEN_SECRET};
pub use tickets::{PASSWORD, USER};
