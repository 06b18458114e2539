//! Portal account passwords: the policy, argon2id hashing, and generated passwords.

use crate::{Invalid, msg};
use rand::Rng;
use rand::seq::SliceRandom;

pub const MIN_LEN: usize = 10;
/// Argon2 cost grows with input; an upper bound keeps a sign-in from becoming a denial of service.
pub const MAX_LEN: usize = 256;

/// A password that satisfies the portal's policy. Never serialized, never logged.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let n = raw.chars().count();
        if n < MIN_LEN {
            Err(Invalid::field(
                field,
                msg("err-too-short").arg("min", MIN_LEN),
            ))
        } else if n > MAX_LEN {
            Err(Invalid::field(
                field,
                msg("err-too-long").arg("max", MAX_LEN),
            ))
        } else if raw.trim().is_empty() {
            Err(Invalid::field(field, msg("err-only-spaces")))
        } else {
            Ok(Password(raw.to_owned()))
        }
    }

    /// A random 20-character password with upper and lower case letters and digits, which also
    /// satisfies Windows' complexity policy; ambiguous characters (0/O, 1/l/I) are left out.
    pub fn generate() -> Self {
        const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
        const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
        const DIGIT: &[u8] = b"23456789";
        let mut rng = rand::rng();
        let all: Vec<u8> = [UPPER, LOWER, DIGIT].concat();
        let mut chars: Vec<u8> = [UPPER, LOWER, DIGIT]
            .iter()
            .map(|set| set[rng.random_range(0..set.len())])
            .collect();
        chars.extend((0..17).map(|_| all[rng.random_range(0..all.len())]));
        chars.shuffle(&mut rng);
        Password(String::from_utf8(chars).expect("ASCII"))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Argon2id hash in PHC format. CPU-heavy: call it off the async runtime.
    pub fn hash(&self) -> String {
        password_auth::generate_hash(&self.0)
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Checks a candidate against a stored hash. CPU-heavy: call it off the async runtime.
pub fn verify(candidate: &str, hash: &str) -> bool {
    !candidate.is_empty()
        && candidate.len() <= MAX_LEN * 4
        && password_auth::verify_password(candidate, hash).is_ok()
}

/// A hash of a random password nobody knows, verified against when the username does not exist so
/// that an unknown user costs the same time as a wrong password.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| Password::generate().hash())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert!(Password::parse("password", "short").is_err());
        assert!(Password::parse("password", "          ").is_err());
        assert!(Password::parse("password", &"x".repeat(257)).is_err());
        assert!(Password::parse("password", "long enough pass").is_ok());
    }

    #[test]
    fn generated_passwords_are_strong_and_distinct() {
        let a = Password::generate();
        let b = Password::generate();
        assert_ne!(a.expose(), b.expose());
        let s = a.expose();
        assert_eq!(s.len(), 20);
        assert!(s.chars().any(|c| c.is_ascii_uppercase()));
        assert!(s.chars().any(|c| c.is_ascii_lowercase()));
        assert!(s.chars().any(|c| c.is_ascii_digit()));
    }

    #[test]
    fn hash_and_verify() {
        let p = Password::parse("password", "correct horse").unwrap();
        let h = p.hash();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse", &h));
        assert!(!verify("wrong horse", &h));
        assert!(!verify("", &h));
    }
}
