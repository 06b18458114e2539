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

#[derive(Debug, Clone, thiserror::Error)]
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
    #[error("too many sign-in attempts; wait a minute and try again")]
    TooManyAttempts,
    /// The directory did not answer or does not fit the settings; the message says what people
    /// may know (the detail only to administrators).
    /// `Some`: the directory's own words, for an administrator checking the settings.
    #[error("directory unavailable: {0:?}")]
    DirectoryUnavailable(Option<String>),
    /// Logged in full; the client learns only that something went wrong.
    #[error("internal error")]
    Internal(String),
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, snake_case: `unauthenticated`, `bad_credentials`, `forbidden`, `not_found`,
    /// `conflict`, `invalid_input`, `bad_request`, `too_many_attempts`, `directory_unavailable`,
    /// `internal`.
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
            AppError::Forbidden | AppError::SessionOnly => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            AppError::DirectoryUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
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
            AppError::TooManyAttempts => "too_many_attempts",
            AppError::DirectoryUnavailable(_) => "directory_unavailable",
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
            AppError::TooManyAttempts => tr.t("err-too-many-attempts"),
            AppError::DirectoryUnavailable(None) => tr.t("err-directory-unavailable"),
            AppError::DirectoryUnavailable(Some(detail)) => {
                tr.t1("err-directory-answer", "detail", detail.as_str())
            }
            AppError::Internal(_) => tr.t("err-internal"),
        }
    }

    pub fn body(&self, tr: &Tr) -> ErrorBody {
        if let AppError::Internal(detail) = self {
            tracing::error!(%detail, "internal error");
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

    pub(crate) fn json(&self, tr: &Tr) -> Response {
        (self.status(), Json(self.body(tr))).into_response()
    }
}

/// The status now; the body once the language is known (see `i18n::localize`).
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = self.status().into_response();
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
