use super::StoreResult;
use crate::{
    audit::Actor,
    ids::TemplateId,
    template::{Template, TemplateSpec},
};
use async_trait::async_trait;

#[async_trait]
pub trait TemplateStore: Send + Sync {
    async fn create_template(&self, spec: TemplateSpec, by: &Actor) -> StoreResult<Template>;
    async fn update_template(
        &self,
        id: TemplateId,
        spec: TemplateSpec,
        by: &Actor,
    ) -> StoreResult<Template>;
    async fn template(&self, id: TemplateId) -> StoreResult<Option<Template>>;
    async fn templates(&self) -> StoreResult<Vec<Template>>;
}
