pub mod events;
pub mod get;
pub mod list;
