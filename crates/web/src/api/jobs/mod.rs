pub mod events;
pub mod get;
