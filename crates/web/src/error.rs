//! The web layer's one error type, mapped to a status and the JSON body of API.md:
//! `{"error": {"code": "...", "message": "...", "fields": [...]}}`. Internal details go to the log,
//! never into a response.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Serialize;
use vmportal_core::{FieldError, Invalid, authz::Denied, store::StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign in first")]
    Unauthenticated,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("administrators only")]
    Forbidden,
    /// Done only by a person signed in with their password, never by an API token.
    #[error("this needs a signed-in session, not an API token")]
    SessionOnly,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(Invalid),
    #[error("{0}")]
    BadRequest(String),
    /// Failed sign-ins from this address: the next try waits this many seconds.
    #[error("too many failed sign-ins; try again in {0} seconds")]
    TooManyAttempts(u64),
    /// More password checks are waiting than the portal runs at once.
    #[error("the portal is busy; try again in a moment")]
    Busy,
    /// The password was right; the second factor is missing.
    #[error("enter the code of your authenticator app (or a recovery code)")]
    TotpRequired,
    /// The settings require a second factor of this account: only setting it up is open.
    #[error("set up two-factor sign-in first (My account)")]
    TotpSetupRequired,
    /// The account's password was generated or reset: only the password change is open.
    #[error("change your password first")]
    PasswordChangeRequired,
    /// The directory did not answer or does not fit the settings; the message says what people
    /// may know (the detail only to administrators).
    #[error("{0}")]
    DirectoryUnavailable(String),
    /// The database cannot be reached now; pages and the API answer 503 until it is back.
    #[error("the service is temporarily unavailable; try again shortly")]
    Unavailable(#[source] BoxError),
    /// Logged in full; the client learns only that something went wrong.
    #[error("internal error")]
    Internal(#[source] BoxError),
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, snake_case: `unauthenticated`, `bad_credentials`, `forbidden`, `not_found`,
    /// `conflict`, `invalid_input`, `bad_request`, `too_many_attempts`, `busy`,
    /// `password_change_required`, `totp_required`, `totp_setup_required`, `directory_unavailable`,
    /// `internal`.
    pub code: &'static str,
    pub message: String,
    /// For `invalid_input`: each invalid field and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden
            | AppError::SessionOnly
            | AppError::PasswordChangeRequired
            | AppError::TotpSetupRequired => StatusCode::FORBIDDEN,
            AppError::TotpRequired => StatusCode::UNAUTHORIZED,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::DirectoryUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::BadCredentials => "bad_credentials",
            AppError::Forbidden | AppError::SessionOnly => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Invalid(_) => "invalid_input",
            AppError::BadRequest(_) => "bad_request",
            AppError::TooManyAttempts(_) => "too_many_attempts",
            AppError::Busy => "busy",
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::TotpRequired => "totp_required",
            AppError::TotpSetupRequired => "totp_setup_required",
            AppError::DirectoryUnavailable(_) => "directory_unavailable",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn body(&self) -> ErrorBody {
        match self {
            AppError::Internal(e) => {
                tracing::error!(error = %e, source = ?e.source(), "internal error")
            }
            AppError::Unavailable(e) => {
                tracing::warn!(error = %e, source = ?e.source(), "unavailable")
            }
            _ => {}
        }
        ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.to_string(),
                fields: match self {
                    AppError::Invalid(i) => i.0.clone(),
                    _ => Vec::new(),
                },
            },
        }
    }
}

impl AppError {
    /// `Retry-After`, for the answers that have one.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooManyAttempts(secs) => Some(*secs),
            AppError::Busy => Some(1),
            _ => None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let retry = self.retry_after();
        let mut r = (self.status(), Json(self.body())).into_response();
        if let Some(secs) = retry {
            r.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        r
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(c) => AppError::Conflict(c.to_string()),
            StoreError::Busy(m) => AppError::Conflict(m),
            StoreError::Invalid(i) => AppError::Invalid(i),
            StoreError::Unavailable(b) => AppError::Unavailable(b),
            StoreError::Backend(b) => AppError::Internal(b),
        }
    }
}

impl From<Denied> for AppError {
    fn from(d: Denied) -> Self {
        match d {
            Denied::Forbidden => AppError::Forbidden,
            Denied::NotFound => AppError::NotFound,
        }
    }
}

impl From<Invalid> for AppError {
    fn from(i: Invalid) -> Self {
        AppError::Invalid(i)
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Any error kept whole for the log.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

impl AppError {
    /// An internal failure, kept whole for the log (never shown to the client).
    pub fn internal(e: impl Into<BoxError>) -> Self {
        AppError::Internal(e.into())
    }
}
