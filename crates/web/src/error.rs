//! The web layer's one error type, mapped to a status and the JSON body of API.md:
//! `{"error": {"code": "...", "message": "...", "fields": [...]}}`. Internal details go to the log,
//! never into a response. The `code` is always English; the messages are in the reader's language,
//! so the body is written by the `i18n::localize` middleware once that language is known.

use crate::i18n::{Tr, Unrendered};
use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Serialize;
use std::sync::Arc;
use vmportal_core::{Invalid, Msg, authz::Denied, store::StoreError};

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
    Conflict(Msg),
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
    /// The directory did not answer or does not fit the settings. `Some`: the directory's own
    /// words, for an administrator checking the settings; people signing in read no cause.
    #[error("directory unavailable: {0:?}")]
    DirectoryUnavailable(Option<String>),
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
    /// `unavailable`, `internal`.
    pub code: &'static str,
    /// For people, in the language of the request (`Accept-Language`, or the user's choice).
    pub message: String,
    /// For `invalid_input`: each invalid field and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// One invalid field and why, in the reader's language.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
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

    /// What people read, in `tr`'s language.
    pub fn message(&self, tr: &Tr) -> String {
        match self {
            AppError::Unauthenticated => tr.t("err-unauthenticated"),
            AppError::BadCredentials => tr.t("err-bad-credentials"),
            AppError::Forbidden => tr.t("err-forbidden"),
            AppError::SessionOnly => tr.t("err-session-only"),
            AppError::NotFound => tr.t("err-not-found"),
            AppError::Conflict(m) => tr.msg(m),
            AppError::Invalid(i) => {
                let fields: Vec<String> =
                    i.0.iter()
                        .map(|e| format!("{}: {}", e.field, tr.msg(&e.message)))
                        .collect();
                format!("{}: {}", tr.t("err-invalid-input"), fields.join("; "))
            }
            // The decoder's own words name the field and the problem; they are for programs.
            AppError::BadRequest(detail) => tr.t1("err-bad-request", "detail", detail.as_str()),
            AppError::TooManyAttempts(secs) => {
                tr.t1("err-too-many-attempts", "seconds", *secs as i64)
            }
            AppError::Busy => tr.t("err-busy"),
            AppError::TotpRequired => tr.t("err-totp-required"),
            AppError::TotpSetupRequired => tr.t("err-totp-setup-required"),
            AppError::PasswordChangeRequired => tr.t("err-password-change-required"),
            AppError::DirectoryUnavailable(None) => tr.t("err-directory-unavailable"),
            AppError::DirectoryUnavailable(Some(detail)) => {
                tr.t1("err-directory-answer", "detail", detail.as_str())
            }
            AppError::Unavailable(_) => tr.t("err-unavailable"),
            AppError::Internal(_) => tr.t("err-internal"),
        }
    }

    pub fn body(&self, tr: &Tr) -> ErrorBody {
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
                message: self.message(tr),
                fields: match self {
                    AppError::Invalid(i) => {
                        i.0.iter()
                            .map(|e| FieldError {
                                field: e.field.clone(),
                                message: tr.msg(&e.message),
                            })
                            .collect()
                    }
                    _ => Vec::new(),
                },
            },
        }
    }

    /// `Retry-After`, for the answers that have one.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooManyAttempts(secs) => Some(*secs),
            AppError::Busy => Some(1),
            _ => None,
        }
    }

    pub(crate) fn json(&self, tr: &Tr) -> Response {
        (self.status(), Json(self.body(tr))).into_response()
    }

    /// An internal failure, kept whole for the log (never shown to the client).
    pub fn internal(e: impl Into<BoxError>) -> Self {
        AppError::Internal(e.into())
    }
}

/// The status (and `Retry-After`) now; the body once the language is known (see
/// `i18n::localize`).
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = self.status().into_response();
        if let Some(secs) = self.retry_after() {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        res.extensions_mut().insert(Unrendered::Api(Arc::new(self)));
        res
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(c) => AppError::Conflict(c.message()),
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
