//! Two-factor sign-in for local accounts: TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps, one
//! step of clock skew either way) set up on *My account*, and ten one-use recovery codes. A code is
//! accepted once: the store keeps the newest time step used and refuses it and older ones.

use crate::{
    auth::{Signed, urlencode},
    error::{AppError, AppResult},
    state::AppState,
};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, TOTP};
use utoipa::ToSchema;
use vmportal_core::{
    Invalid,
    ids::UserId,
    msg,
    second_factor::Required,
    user::{Role, User, UserSource},
};

const STEP_SECS: u64 = 30;
const DIGITS: usize = 6;
const RECOVERY_CODES: usize = 10;
/// Base32 without padding (RFC 4648), as authenticator apps read secrets.
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A secret being set up: shown once, as text and as a QR code the portal draws itself.
#[derive(Serialize, ToSchema)]
pub struct Enrolment {
    /// Base32, for typing into an authenticator.
    pub secret: String,
    /// `otpauth://totp/...`, what the QR code holds.
    pub otpauth_url: String,
    /// The QR code as an SVG image.
    pub qr_svg: String,
}

fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn decode_base32(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = BASE32.iter().position(|&x| x == c)? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

fn totp(secret: Vec<u8>) -> TOTP {
    TOTP::new_unchecked(Algorithm::SHA1, DIGITS, 1, STEP_SECS, secret)
}

fn unix_now() -> u64 {
    vmportal_core::now().unix_timestamp().max(0) as u64
}

/// The time step (within one of now) whose code `code` is.
fn matching_step(secret: &[u8], code: &str, now: u64) -> Option<i64> {
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret.to_vec());
    let current = now / STEP_SECS;
    [current.saturating_sub(1), current, current + 1]
        .into_iter()
        .find(|&step| constant_eq(&t.generate(step * STEP_SECS), code))
        .map(|step| step as i64)
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Recovery codes are compared without dashes, spaces or case.
fn recovery_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Sha256::digest(normal.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// 80 random bits each, as `XXXX-XXXX-XXXX-XXXX`.
fn new_recovery_code() -> String {
    let mut bytes = [0u8; 10];
    rand::rng().fill_bytes(&mut bytes);
    let plain = base32(&bytes);
    plain
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).expect("ASCII"))
        .collect::<Vec<_>>()
        .join("-")
}

fn local_only(user: &User) -> AppResult<()> {
    if user.source == UserSource::Local {
        Ok(())
    } else {
        Err(Invalid::field("code", msg("err-totp-directory")).into())
    }
}

/// Starts setting up (or over, while unconfirmed) a second factor for the caller.
pub async fn begin(state: &AppState, by: &Signed) -> AppResult<Enrolment> {
    by.require_session()?;
    local_only(&by.user)?;
    let mut raw = [0u8; 20];
    rand::rng().fill_bytes(&mut raw);
    let secret = base32(&raw);
    state
        .store
        .begin_totp(by.user.id, state.secrets.seal(&secret))
        .await?;
    let issuer = "vmportal";
    let otpauth_url = format!(
        "otpauth://totp/{issuer}:{}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        urlencode(by.user.username.as_str())
    );
    let qr_svg = qrcode::QrCode::new(otpauth_url.as_bytes())
        .map_err(AppError::internal)?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    Ok(Enrolment {
        secret,
        otpauth_url,
        qr_svg,
    })
}

/// Confirms the secret being set up with a code from the authenticator; gives back the recovery
/// codes, shown this once (only their hashes are kept).
pub async fn confirm(state: &AppState, by: &Signed, code: &str) -> AppResult<Vec<String>> {
    by.require_session()?;
    local_only(&by.user)?;
    let pending = state
        .store
        .totp(by.user.id)
        .await?
        .filter(|e| !e.confirmed)
        .ok_or_else(|| Invalid::field("code", msg("err-totp-not-begun")))?;
    let secret = open(state, &pending.sealed_secret)?;
    let step = matching_step(&secret, code.trim(), unix_now())
        .ok_or_else(|| Invalid::field("code", msg("err-totp-wrong-code")))?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let hashes = codes
        .iter()
        .map(String::as_str)
        .map(recovery_hash)
        .collect();
    if !state
        .store
        .confirm_totp(by.user.id, step, hashes, &by.actor())
        .await?
    {
        return Err(Invalid::field("code", msg("err-totp-not-begun")).into());
    }
    Ok(codes)
}

fn open(state: &AppState, sealed: &[u8]) -> AppResult<Vec<u8>> {
    let text = state.secrets.open(sealed).map_err(AppError::internal)?;
    decode_base32(&text).ok_or_else(|| AppError::internal("a stored TOTP secret is not base32"))
}

/// Whether the user has a confirmed second factor.
pub async fn enabled(state: &AppState, user: UserId) -> AppResult<bool> {
    Ok(state.store.totp(user).await?.is_some_and(|e| e.confirmed))
}

/// Whether `code` (a current TOTP code or an unused recovery code) is the user's, using it up.
pub async fn check(state: &AppState, user: UserId, code: &str) -> AppResult<bool> {
    let Some(enrolment) = state.store.totp(user).await?.filter(|e| e.confirmed) else {
        return Ok(false);
    };
    let code = code.trim();
    if code.len() > 64 {
        return Ok(false);
    }
    let secret = open(state, &enrolment.sealed_secret)?;
    match matching_step(&secret, code, unix_now()) {
        Some(step) => Ok(state.store.use_totp_step(user, step).await?),
        None if code.len() == DIGITS => Ok(false),
        None => Ok(state
            .store
            .use_recovery_code(user, &recovery_hash(code))
            .await?),
    }
}

/// Whether the portal's settings require `user` to have a second factor.
pub fn required_for(state: &AppState, user: &User) -> bool {
    user.source == UserSource::Local
        && match state.config.login.totp_required {
            Required::Nobody => false,
            Required::Admins => user.role == Role::Admin,
            Required::Everyone => true,
        }
}

/// An administrator removes a user's second factor (they lost their phone); audited.
pub async fn reset(state: &AppState, admin: &Signed, user: UserId) -> AppResult<()> {
    admin.caller().require_admin()?;
    let target = state.store.user(user).await?.ok_or(AppError::NotFound)?;
    if !state.store.reset_totp(target.id, &admin.actor()).await? {
        return Err(AppError::Conflict(msg("err-totp-none")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        let raw = [7u8, 200, 3, 99, 0, 255, 13, 42, 1, 2];
        assert_eq!(decode_base32(&base32(&raw)).unwrap(), raw);
    }

    #[test]
    fn codes_of_the_neighbouring_steps_match_and_others_do_not() {
        // RFC 6238's SHA-1 test secret and its 8-digit vector at T = 59 s ends in 287082.
        let secret = b"12345678901234567890";
        assert_eq!(totp(secret.to_vec()).generate(59), "287082");
        let now = 59 + 30;
        assert_eq!(matching_step(secret, "287082", now), Some(1));
        assert_eq!(matching_step(secret, "287082", now + 60), None);
        assert_eq!(matching_step(secret, "28708", now), None);
    }

    #[test]
    fn recovery_codes_ignore_dashes_and_case() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 19);
        assert_eq!(
            recovery_hash(&code),
            recovery_hash(&code.replace('-', "").to_lowercase())
        );
    }
}
