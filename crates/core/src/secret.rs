//! Secrets at rest (guest passwords): sealed with XChaCha20-Poly1305 under a key the database never
//! sees, so a copy of the database alone does not give the passwords away.

use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, KeyInit},
};
use rand::RngCore;

pub const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

#[derive(Clone)]
pub struct SecretKey([u8; KEY_LEN]);

#[derive(Debug, thiserror::Error)]
#[error("a sealed secret could not be opened: wrong key or damaged data")]
pub struct Unsealable;

impl SecretKey {
    pub fn generate() -> Self {
        let mut k = [0u8; KEY_LEN];
        rand::rng().fill_bytes(&mut k);
        SecretKey(k)
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(SecretKey)
    }

    pub fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// A fresh random nonce, then the ciphertext with its tag.
    pub fn seal(&self, plaintext: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = XChaCha20Poly1305::new(&self.0.into())
            .encrypt(XNonce::from_slice(&nonce), plaintext.as_bytes())
            .expect("encryption of a short secret cannot fail");
        [nonce.as_slice(), &sealed].concat()
    }

    pub fn open(&self, sealed: &[u8]) -> Result<String, Unsealable> {
        if sealed.len() < NONCE_LEN {
            return Err(Unsealable);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let plain = XChaCha20Poly1305::new(&self.0.into())
            .decrypt(XNonce::from_slice(nonce), body)
            .map_err(|_| Unsealable)?;
        String::from_utf8(plain).map_err(|_| Unsealable)
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open() {
        let key = SecretKey::generate();
        let a = key.seal("Passw0rdOfTheGuest");
        assert_ne!(a, key.seal("Passw0rdOfTheGuest"), "fresh nonce each time");
        assert_eq!(key.open(&a).unwrap(), "Passw0rdOfTheGuest");
        assert!(SecretKey::generate().open(&a).is_err());
        let mut tampered = a.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(key.open(&tampered).is_err());
    }
}
