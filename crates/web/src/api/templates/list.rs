use crate::{
    actions,
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use vmportal_core::template::Template;

/// The catalogue with each template's defaults and limits. Administrators also see disabled entries.
#[utoipa::path(get, path = "/api/v1/templates", tag = "templates",
    responses((status = 200, body = Vec<Template>), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, signed: Signed) -> AppResult<Json<Vec<Template>>> {
    Ok(Json(actions::templates::catalogue(&state, &signed).await?))
}
