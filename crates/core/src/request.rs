//! Requests for a machine and their decision.

use crate::{
    Invalid, Msg, Timestamp,
    ids::{CourseId, RequestId, TemplateId, UserId},
    msg,
    names::{self, Hostname, Username},
    resources::Resources,
    template::{OsFamily, Template},
    user::str_enum,
    windows,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    Pending,
    Approved,
    Rejected,
    Cancelled,
}

str_enum!(RequestState {
    Pending => "pending" as msg("request-state-pending"),
    Approved => "approved" as msg("request-state-approved"),
    Rejected => "rejected" as msg("request-state-rejected"),
    Cancelled => "cancelled" as msg("request-state-cancelled"),
});

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MachineRequest {
    pub id: RequestId,
    pub user_id: UserId,
    pub username: Username,
    pub template_id: TemplateId,
    pub template_name: String,
    pub name: Hostname,
    #[serde(flatten)]
    pub resources: Resources,
    pub purpose: String,
    pub state: RequestState,
    /// The administrator's reason, for a rejection.
    pub reason: Option<String>,
    pub decided_by: Option<Username>,
    /// A request for a course is decided by the course's teachers (or administrators).
    pub course_id: Option<CourseId>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub decided_at: Option<Timestamp>,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// A validated request, ready to be stored (the quota is checked by the store, atomically).
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub user_id: UserId,
    pub template_id: TemplateId,
    pub name: Hostname,
    pub resources: Resources,
    pub purpose: String,
    pub course_id: Option<CourseId>,
}

/// What a user typed into the request form.
#[derive(Debug, Clone, Default)]
pub struct RequestInput {
    pub name: String,
    pub cpus: i64,
    pub memory_mib: i64,
    pub disk_gib: i64,
    pub purpose: String,
}

impl NewRequest {
    /// Parses the form against the chosen template's limits.
    pub fn parse(
        user_id: UserId,
        template: &Template,
        input: &RequestInput,
    ) -> Result<Self, Invalid> {
        let mut invalid = Invalid::default();
        if !template.enabled {
            invalid.push("template_id", msg("err-template-withdrawn"));
        }
        let name = invalid.check(Hostname::parse("name", &input.name));
        if template.os_family == OsFamily::Windows
            && name
                .as_ref()
                .is_some_and(|n| n.as_str().len() > windows::MAX_COMPUTER_NAME)
        {
            // Windows would keep only the first 15 characters: refuse rather than rename.
            invalid.push(
                "name",
                msg("err-windows-name").arg("max", windows::MAX_COMPUTER_NAME),
            );
        }
        let resources = invalid.check(Resources::parse_within(
            input.cpus,
            input.memory_mib,
            input.disk_gib,
            &template.limits,
        ));
        let purpose = invalid.check(names::text("purpose", &input.purpose, true, 2000));
        invalid.or(|| NewRequest {
            user_id,
            template_id: template.id,
            name: name.expect("checked"),
            resources: resources.expect("checked"),
            purpose: purpose.expect("checked"),
            course_id: None,
        })
    }
}

/// Why a request could not change state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the request is already {0}")]
pub struct NotPending(pub RequestState);

impl NotPending {
    pub fn message(&self) -> Msg {
        msg("err-already-decided").arg("state", self.0.label())
    }
}

impl RequestState {
    /// Only a pending request can be decided or cancelled.
    pub fn decide(self, to: RequestState) -> Result<RequestState, NotPending> {
        if self == RequestState::Pending && to != RequestState::Pending {
            Ok(to)
        } else {
            Err(NotPending(self))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestState::*;

    #[test]
    fn only_pending_requests_change() {
        assert_eq!(Pending.decide(Approved), Ok(Approved));
        assert_eq!(Pending.decide(Cancelled), Ok(Cancelled));
        assert_eq!(Approved.decide(Approved), Err(NotPending(Approved)));
        assert_eq!(Rejected.decide(Cancelled), Err(NotPending(Rejected)));
        assert!(Pending.decide(Pending).is_err());
    }

    #[test]
    fn windows_machine_names_fit_in_15_characters() {
        let mut template = Template {
            id: TemplateId(1),
            name: "Windows".into(),
            description: String::new(),
            provider: "local".into(),
            kind: crate::template::MachineKind::Vm,
            os_family: OsFamily::Windows,
            source: "win.qcow2".into(),
            defaults: Resources::default(),
            limits: Resources {
                cpus: 2,
                memory_mib: 4096,
                disk_gib: 40,
            },
            shutdown_timeout_secs: 60,
            max_snapshots: 0,
            locale: Some("fr-FR".into()),
            lease: Default::default(),
            enabled: true,
            created_at: crate::now(),
        };
        let input = |name: &str| RequestInput {
            name: name.into(),
            cpus: 1,
            memory_mib: 2048,
            disk_gib: 30,
            purpose: "lab".into(),
        };
        let long = input("lab-machine-for-maria");
        let err = NewRequest::parse(UserId(1), &template, &long).unwrap_err();
        assert_eq!(err.0[0].field, "name");
        assert!(
            err.0[0].message.to_string().contains("15"),
            "{}",
            err.0[0].message
        );
        assert!(NewRequest::parse(UserId(1), &template, &input("lab-for-maria")).is_ok());
        template.os_family = OsFamily::Linux;
        assert!(NewRequest::parse(UserId(1), &template, &long).is_ok());
    }
}
