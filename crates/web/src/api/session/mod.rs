pub mod login;
pub mod logout;
pub mod me;
pub mod password;
pub mod preferences;
pub mod ssh_key;
pub mod totp;
