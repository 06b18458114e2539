//! axum's extractors, with their rejections turned into the API's JSON errors.

use crate::error::AppError;
use axum::extract::{
    FromRequest, FromRequestParts,
    rejection::{JsonRejection, PathRejection, QueryRejection},
};
use vmportal_core::{Invalid, msg};

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        match r {
            // A body of the wrong shape: serde names the field first ("cpus: invalid type ...").
            JsonRejection::JsonDataError(e) => {
                let text = e.body_text();
                let detail = text
                    .rsplit_once("target type: ")
                    .map(|(_, d)| d)
                    .unwrap_or(&text);
                let (field, message) = match detail.split_once(": ") {
                    Some((f, m)) if !f.contains(' ') => (f, m),
                    _ => ("body", detail),
                };
                // serde's words are for programs; people use the forms.
                AppError::Invalid(Invalid::field(
                    field,
                    msg("err-json-field").arg("detail", message),
                ))
            }
            other => AppError::BadRequest(other.body_text()),
        }
    }
}

impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> Self {
        AppError::NotFound
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> Self {
        AppError::BadRequest(r.body_text())
    }
}
