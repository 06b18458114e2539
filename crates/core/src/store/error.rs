use crate::{Invalid, request::NotPending};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The object is not in a state that allows the change (approving twice, ...).
    #[error(transparent)]
    Conflict(#[from] NotPending),
    /// A machine cannot take an action now (its state, or another action in progress).
    #[error("{0}")]
    Busy(crate::Msg),
    /// The change breaks a rule that only the database can check atomically (a unique name, a
    /// quota counted over concurrent requests).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The database cannot be reached now (refused, timed out, connection lost): worth retrying,
    /// and a 503 rather than a 500 for the web.
    #[error("database unavailable")]
    Unavailable(#[source] BackendError),
    /// The database answered with an error, or what it holds does not parse; details are for the
    /// log only.
    #[error("database error")]
    Backend(#[source] BackendError),
}

/// The backend's own error, kept whole for the log.
pub type BackendError = Box<dyn std::error::Error + Send + Sync + 'static>;

pub type StoreResult<T> = Result<T, StoreError>;
