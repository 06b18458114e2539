use crate::{
    actions,
    api::extract::ApiJson,
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;
use vmportal_core::{Lang, preferences::Preferences};

/// What to change; what is left out stays as it is.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesChange {
    /// `en`, `it`, `fr` or `de`; `null` to follow the browser's `Accept-Language`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Lang>)]
    pub language: Option<Option<Lang>>,
    #[serde(default)]
    pub notifications: NotificationsChange,
}

/// Each kind of mail on (`true`) or off (`false`).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NotificationsChange {
    pub new_request: Option<bool>,
    pub daily_digest: Option<bool>,
    pub decision: Option<bool>,
    pub machine_ready: Option<bool>,
    pub job_failed: Option<bool>,
}

/// A field that is present, even as `null`, is `Some`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

impl PreferencesChange {
    fn apply(self, mut p: Preferences) -> Preferences {
        if let Some(language) = self.language {
            p.language = language;
        }
        let (n, c) = (&mut p.notifications, self.notifications);
        for (field, change) in [
            (&mut n.new_request, c.new_request),
            (&mut n.daily_digest, c.daily_digest),
            (&mut n.decision, c.decision),
            (&mut n.machine_ready, c.machine_ready),
            (&mut n.job_failed, c.job_failed),
        ] {
            if let Some(on) = change {
                *field = on;
            }
        }
        p
    }
}

/// The caller's language and mail choices.
#[utoipa::path(get, path = "/api/v1/me/preferences", tag = "session",
    responses((status = 200, body = Preferences), (status = 401, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, signed: Signed) -> AppResult<Json<Preferences>> {
    Ok(Json(state.store.preferences(signed.user.id).await?))
}

/// Changes the caller's language (of pages, API messages and mail) and which mail they get.
#[utoipa::path(put, path = "/api/v1/me/preferences", tag = "session", request_body = PreferencesChange,
    responses((status = 200, body = Preferences), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    signed: Signed,
    ApiJson(change): ApiJson<PreferencesChange>,
) -> AppResult<Json<Preferences>> {
    let prefs = change.apply(state.store.preferences(signed.user.id).await?);
    actions::account::set_preferences(&state, &signed, prefs).await?;
    Ok(Json(prefs))
}
