use crate::{
    auth::Signed,
    error::{AppError, AppResult},
    state::AppState,
};
use vmportal_core::{
    error::Invalid,
    hypervisor::HypervisorError,
    ids::TemplateId,
    msg,
    template::{Template, TemplateInput, TemplateSpec},
};

/// The catalogue as the caller may see it: users see what they can ask for, admins see everything.
pub async fn catalogue(state: &AppState, by: &Signed) -> AppResult<Vec<Template>> {
    let mut all = state.store.templates().await?;
    if !by.caller().is_admin() {
        all.retain(|t| t.enabled);
    }
    Ok(all)
}

pub async fn create(
    state: &AppState,
    admin: &Signed,
    input: &TemplateInput,
) -> AppResult<Template> {
    admin.caller().require_admin()?;
    let spec = TemplateSpec::parse(input, &state.providers.names())?;
    check_source(state, &spec).await?;
    Ok(state.store.create_template(spec, &admin.actor()).await?)
}

/// Applies `change` to the stored template and saves it if the result is consistent.
pub async fn update(
    state: &AppState,
    admin: &Signed,
    id: TemplateId,
    change: impl FnOnce(&mut TemplateInput),
) -> AppResult<Template> {
    admin.caller().require_admin()?;
    let current = state.store.template(id).await?.ok_or(AppError::NotFound)?;
    let mut input = TemplateInput::from(&current);
    change(&mut input);
    let spec = TemplateSpec::parse(&input, &state.providers.names())?;
    check_source(state, &spec).await?;
    Ok(state
        .store
        .update_template(current.id, spec, &admin.actor())
        .await?)
}

/// The provider's word on an enabled template's source: a source that cannot give usable
/// machines (a QEMU template without a cloud-init drive, say) is refused with why. Disabling a
/// template is always possible, and a provider that does not answer now does not block the
/// administrator.
async fn check_source(state: &AppState, spec: &TemplateSpec) -> AppResult<()> {
    let Some(hv) = state.providers.get(&spec.provider).filter(|_| spec.enabled) else {
        return Ok(());
    };
    match hv.check_source(spec.kind, &spec.source).await {
        Err(HypervisorError::Permanent(why)) => Err(AppError::Invalid(Invalid::field(
            "source",
            msg("err-source-refused").arg("detail", why),
        ))),
        Err(e) => {
            tracing::warn!(provider = %spec.provider, "template source not checked: {e}");
            Ok(())
        }
        Ok(()) => Ok(()),
    }
}
