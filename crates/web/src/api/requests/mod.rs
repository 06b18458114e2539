pub mod approve;
pub mod cancel;
pub mod create;
pub mod get;
pub mod list;
pub mod reject;
