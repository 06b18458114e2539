//! `/api/v1/courses`: administrators create courses and name teachers; teachers manage the rest of
//! their own courses.

pub mod course;
pub mod deployments;
pub mod list;
pub mod machines;
pub mod members;

use serde::Deserialize;
use utoipa::ToSchema;
use vmportal_core::{ids::TemplateId, quota::Quota};

/// A course as written. On PATCH every field is optional; teachers may change only `name` and
/// `term_end`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CourseBody {
    pub name: Option<String>,
    /// Letters, digits and '-', at most 20: it starts the name of every deployed machine.
    pub code: Option<String>,
    /// `YYYY-MM-DD`; empty or null for none.
    pub term_end: Option<String>,
    /// Templates the course may use; empty for every enabled template.
    pub template_ids: Option<Vec<TemplateId>>,
    /// For the whole course; zero when left out.
    pub quota: Option<Quota>,
    pub teacher_full_console: Option<bool>,
    pub teacher_may_delete: Option<bool>,
}
