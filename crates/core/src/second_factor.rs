//! A second factor for local accounts: TOTP (RFC 6238) with one-use recovery codes.

/// A user's TOTP secret, as the store keeps it.
#[derive(Debug, Clone)]
pub struct TotpEnrolment {
    /// Sealed with the portal's key, like guest passwords.
    pub sealed_secret: Vec<u8>,
    /// `false` until the user proved, with a code, that their authenticator has it.
    pub confirmed: bool,
    /// The newest time step whose code was used: older and equal ones are refused.
    pub last_step: i64,
}

/// Whom the portal asks for a second factor at sign-in, besides those who set one up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Required {
    #[default]
    Nobody,
    /// Administrators must set one up before anything else.
    Admins,
    Everyone,
}
