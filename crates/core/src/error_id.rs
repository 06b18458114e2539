//! What ordinary users see of a failure's detail (issue 17): an id, the same for the same detail,
//! that administrators can look up beside it. Pages and mail share it.

use sha2::{Digest, Sha256};

/// A short, stable name for an error's detail: the same detail always has the same id.
pub fn error_id(detail: &str) -> String {
    let digest = Sha256::digest(detail.as_bytes());
    let hex: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("E-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_differ_by_detail() {
        assert_eq!(error_id("a"), error_id("a"));
        assert_ne!(error_id("a"), error_id("b"));
        assert!(error_id("a").starts_with("E-") && error_id("a").len() == 10);
    }
}
