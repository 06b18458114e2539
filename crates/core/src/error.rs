//! Validation errors that name the field they belong to, so the web layer can show each message next
//! to its input (HTML) or list it in a 422 (JSON).

use crate::message::Msg;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: Msg,
}

/// One or more invalid fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
#[error("invalid input: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn field(field: impl Into<String>, message: Msg) -> Self {
        Invalid(vec![FieldError {
            field: field.into(),
            message,
        }])
    }

    pub fn push(&mut self, field: impl Into<String>, message: Msg) {
        self.0.push(FieldError {
            field: field.into(),
            message,
        });
    }

    /// Collects the error of a parse into `self` and gives back the value, if any.
    pub fn check<T>(&mut self, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.extend(e.0);
                None
            }
        }
    }

    /// Adds the errors of `other` for fields that have none yet: the first message per field wins.
    pub fn merge(&mut self, other: Invalid) {
        for e in other.0 {
            if self.message_for(&e.field).is_none() {
                self.0.push(e);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when no field was invalid.
    pub fn or<T>(self, value: impl FnOnce() -> T) -> Result<T, Invalid> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }

    pub fn message_for(&self, field: &str) -> Option<&Msg> {
        self.0.iter().find(|e| e.field == field).map(|e| &e.message)
    }
}
