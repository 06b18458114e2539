pub mod create;
pub mod get;
pub mod list;
pub mod totp;
pub mod update;
