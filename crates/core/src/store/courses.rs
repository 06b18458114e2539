use super::StoreResult;
use crate::{
    audit::Actor,
    course::{Course, CourseSettings, Deployment, DeploymentStatus, Membership, NewCourse, Roster},
    ids::{CourseId, DeploymentId, JobId, MachineId, UserId},
    machine::Machine,
    names::Hostname,
    quota::Usage,
    resources::Resources,
};
use async_trait::async_trait;

/// A deployment to create: the machines are named by the caller, one per student.
#[derive(Debug, Clone)]
pub struct NewDeployment {
    pub course_id: CourseId,
    pub template_id: crate::ids::TemplateId,
    pub resources: Resources,
    /// Every student of the course with the name of their machine; those who already have a
    /// machine in the course are skipped by the store (in the same transaction).
    pub students: Vec<(UserId, Hostname)>,
}

/// What a deployment created.
#[derive(Debug, Clone)]
pub struct Deployed {
    pub deployment: Deployment,
    pub machines: Vec<MachineId>,
    pub jobs: Vec<JobId>,
}

#[async_trait]
pub trait CourseStore: Send + Sync {
    async fn create_course(&self, new: NewCourse, by: &Actor) -> StoreResult<Course>;
    async fn course(&self, id: CourseId) -> StoreResult<Option<Course>>;
    /// Every course, or those `member` teaches or attends.
    async fn courses(&self, member: Option<UserId>) -> StoreResult<Vec<Course>>;
    async fn update_course(&self, id: CourseId, new: NewCourse, by: &Actor) -> StoreResult<Course>;
    /// Refused (busy) while the course has machines or pending requests.
    async fn delete_course(&self, id: CourseId, by: &Actor) -> StoreResult<()>;
    async fn roster(&self, id: CourseId) -> StoreResult<Roster>;
    /// Replaces the members, teachers and students, at once.
    async fn set_roster(
        &self,
        id: CourseId,
        teachers: &[UserId],
        students: &[UserId],
        by: &Actor,
    ) -> StoreResult<()>;
    /// Which directory group the course's students follow (`None`: a roster kept by hand).
    async fn set_roster_group(
        &self,
        id: CourseId,
        group: Option<&str>,
        by: &Actor,
    ) -> StoreResult<()>;
    /// The courses whose roster follows a directory group.
    async fn group_courses(&self) -> StoreResult<Vec<CourseId>>;
    async fn membership(&self, id: CourseId, user: UserId) -> StoreResult<Option<Membership>>;
    /// The course's settings when `teacher` teaches it.
    async fn teaching(
        &self,
        teacher: UserId,
        course: CourseId,
    ) -> StoreResult<Option<CourseSettings>>;
    /// Pending course requests plus course machines not deleted.
    async fn course_usage(&self, id: CourseId) -> StoreResult<Usage>;
    /// One approved request, machine and provision job per student without a machine in the
    /// course, if the course quota admits them all (counted in the same transaction); a student's
    /// course machine that failed to build gets a new provision job instead.
    async fn deploy(&self, new: NewDeployment, by: &Actor) -> StoreResult<Deployed>;
    async fn deployment(
        &self,
        course: CourseId,
        id: DeploymentId,
    ) -> StoreResult<Option<DeploymentStatus>>;
    /// The course's machines not deleted.
    async fn course_machines(&self, id: CourseId) -> StoreResult<Vec<Machine>>;
}
