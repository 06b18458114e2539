//! Form fields arrive as text; numbers are parsed here so that "abc" gets a message next to its
//! field instead of a generic rejection.

use vmportal_core::{Invalid, msg};

pub fn number(invalid: &mut Invalid, field: &str, raw: &str) -> i64 {
    match raw.trim().parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            invalid.push(field, msg("err-whole-number"));
            0
        }
    }
}

/// An optional number: empty means "not set".
pub fn optional_number(invalid: &mut Invalid, field: &str, raw: &str) -> Option<i64> {
    (!raw.trim().is_empty()).then(|| number(invalid, field, raw))
}
