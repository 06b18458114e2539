//! A Proxmox VE API simulator: a stateful HTTPS server that checks every request and every answer
//! against the official schema and counts what does not conform.

pub mod schema;
