//! Integration tests: the real application on a random loopback port, a fresh SQLite database per
//! test, driven over HTTP like any client would.

mod account;
mod app;
mod authz;
mod browser;
mod console;
mod courses;
mod fuzz;
mod i18n;
mod ldap;
mod leases;
mod lists;
mod machine_snapshots;
mod oidc;
mod openapi;
mod pages;
mod requests;
mod review;
mod session;
mod templates;
mod tokens;
mod totp;
mod users;
