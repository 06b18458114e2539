pub mod actions;
pub mod credentials;
pub mod get;
pub mod list;
pub mod snapshots;
