//! Courses: a class for a term, its teachers and students, the templates it may use, a quota for
//! the whole course, and deployments (one machine per student in one action).

use crate::{
    Invalid, Timestamp,
    ids::{CourseId, DeploymentId, MachineId, TemplateId},
    msg,
    names::{self, Hostname, Username},
    quota::{Quota, Usage},
    resources::Resources,
    user::str_enum,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Course {
    pub id: CourseId,
    pub name: String,
    /// Short, host-name safe: it starts the name of every machine deployed for the course.
    pub code: Hostname,
    /// `YYYY-MM-DD`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub term_end: Option<time::Date>,
    /// Templates the course may use; empty means every enabled template.
    pub template_ids: Vec<TemplateId>,
    /// For the whole course, on top of each student's own.
    pub quota: Quota,
    #[serde(flatten)]
    pub settings: CourseSettings,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// What teachers may do to their students' course machines beyond starting and stopping them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CourseSettings {
    /// A console where the teacher's keyboard and mouse work (audited on every use); otherwise
    /// view-only.
    pub teacher_full_console: bool,
    pub teacher_may_delete: bool,
}

impl Course {
    pub fn allows(&self, template: TemplateId) -> bool {
        self.template_ids.is_empty() || self.template_ids.contains(&template)
    }
}

/// A validated course, to create or to replace the fields of an existing one.
#[derive(Debug, Clone)]
pub struct NewCourse {
    pub name: String,
    pub code: Hostname,
    pub term_end: Option<time::Date>,
    pub template_ids: Vec<TemplateId>,
    pub quota: Quota,
    pub settings: CourseSettings,
}

/// What an administrator or a teacher typed.
#[derive(Debug, Clone, Default)]
pub struct CourseInput {
    pub name: String,
    pub code: String,
    pub term_end: Option<String>,
    pub template_ids: Vec<TemplateId>,
    pub quota: Quota,
    pub settings: CourseSettings,
}

impl NewCourse {
    pub fn parse(input: &CourseInput) -> Result<Self, Invalid> {
        let mut invalid = Invalid::default();
        let name = invalid.check(names::text("name", &input.name, true, 200));
        let code = invalid.check(Hostname::parse("code", &input.code).and_then(|c| {
            if c.as_str().len() > 20 {
                Err(Invalid::field("code", msg("err-too-long").arg("max", 20)))
            } else {
                Ok(c)
            }
        }));
        let term_end = invalid.check(parse_date(input.term_end.as_deref()));
        let q = input.quota;
        for (field, v) in [
            ("quota.machines", q.machines),
            ("quota.cpus", q.cpus),
            ("quota.memory_mib", q.memory_mib),
            ("quota.disk_gib", q.disk_gib),
        ] {
            if v < 0 {
                invalid.push(field, msg("err-negative"));
            }
        }
        invalid.or(|| NewCourse {
            name: name.expect("checked"),
            code: code.expect("checked"),
            term_end: term_end.expect("checked"),
            template_ids: input.template_ids.clone(),
            quota: input.quota,
            settings: input.settings,
        })
    }
}

fn parse_date(raw: Option<&str>) -> Result<Option<time::Date>, Invalid> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => time::Date::parse(s, format)
            .map(Some)
            .map_err(|_| Invalid::field("term_end", msg("err-date"))),
    }
}

/// When a term ending on `day` is over: the end of that day, UTC. Course machines' leases end then.
pub fn term_over(day: time::Date) -> Timestamp {
    day.next_day().unwrap_or(day).midnight().assume_utc()
}

/// A member is a teacher or a student of a course; the same user may be a teacher of one course
/// and a student of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Membership {
    Teacher,
    Student,
}

str_enum!(Membership {
    Teacher => "teacher" as msg("course-part-teacher"),
    Student => "student" as msg("course-part-student"),
});

/// A course's members by username.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Roster {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub teachers: Vec<Username>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub students: Vec<Username>,
    /// The directory group the students come from, if the roster follows one; the portal reads
    /// it again on demand and every five minutes.
    pub ldap_group: Option<String>,
}

/// One line of a roster upload: `username[,display name,email]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterLine {
    pub username: Username,
    pub display_name: String,
    pub email: Option<String>,
}

/// Parses a roster CSV; errors name the line. Blank lines and a `username,...` header are skipped.
pub fn parse_roster_csv(text: &str) -> Result<Vec<RosterLine>, Invalid> {
    let mut invalid = Invalid::default();
    let mut lines = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let raw = raw.trim();
        if raw.is_empty() || (n == 0 && raw.to_ascii_lowercase().starts_with("username")) {
            continue;
        }
        let mut cells = raw.split(',').map(|c| c.trim().trim_matches('"').trim());
        let field = format!("csv line {}", n + 1);
        let username = invalid.check(Username::parse(&field, cells.next().unwrap_or_default()));
        let display_name = invalid.check(names::text(
            &field,
            cells.next().unwrap_or_default(),
            false,
            200,
        ));
        let email = invalid.check(names::email(&field, cells.next().unwrap_or_default()));
        if cells.next().is_some() {
            invalid.push(&field, msg("err-csv-cells"));
        }
        if let (Some(username), Some(display_name), Some(email)) = (username, display_name, email) {
            lines.push(RosterLine {
                username,
                display_name,
                email,
            });
        }
    }
    invalid.or(|| lines)
}

/// A student's machine name in a course: the course code and the username, as a host name.
pub fn machine_name(code: &Hostname, student: &Username) -> Result<Hostname, Invalid> {
    let user: String = student
        .as_str()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let mut name = format!("{code}-{}", user.trim_matches('-'));
    name.truncate(63);
    Hostname::parse("name", name.trim_end_matches('-'))
}

/// Refuses a batch of `count` machines of size `each` that would not fit in the course quota,
/// with the numbers.
pub fn admit_batch(
    quota: &Quota,
    usage: &Usage,
    each: &Resources,
    count: i64,
) -> Result<(), Invalid> {
    let left = quota.remaining(usage);
    let mut invalid = Invalid::default();
    for (field, message, asked, left, limit) in [
        (
            "machines",
            msg("err-course-quota-machines"),
            count,
            left.machines,
            quota.machines,
        ),
        (
            "cpus",
            msg("err-course-quota-cpus"),
            each.cpus * count,
            left.cpus,
            quota.cpus,
        ),
        (
            "memory_mib",
            msg("err-course-quota-memory"),
            each.memory_mib * count,
            left.memory_mib,
            quota.memory_mib,
        ),
        (
            "disk_gib",
            msg("err-course-quota-disk"),
            each.disk_gib * count,
            left.disk_gib,
            quota.disk_gib,
        ),
    ] {
        if asked > left {
            invalid.push(
                field,
                message
                    .arg("limit", limit)
                    .arg("left", left)
                    .arg("count", count)
                    .arg("asked", asked),
            );
        }
    }
    invalid.or(|| ())
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deployment {
    pub id: DeploymentId,
    pub course_id: CourseId,
    pub template_id: TemplateId,
    #[serde(flatten)]
    pub resources: Resources,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub created_by: Option<Username>,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// Where one machine of a deployment stands.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeployedMachine {
    pub machine_id: MachineId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub name: Hostname,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub owner: Username,
    pub state: crate::machine::MachineState,
    /// 0..100, of the machine's provisioning job.
    pub progress: i64,
    /// Why it failed, when it did.
    pub error: Option<String>,
}

/// A deployment's progress: how many are done, which failed and why, how many are under way.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeploymentStatus {
    #[serde(flatten)]
    pub deployment: Deployment,
    pub total: usize,
    pub done: usize,
    pub failed: usize,
    pub in_progress: usize,
    pub machines: Vec<DeployedMachine>,
}

impl DeploymentStatus {
    pub fn new(deployment: Deployment, machines: Vec<DeployedMachine>) -> Self {
        use crate::machine::MachineState::*;
        let count = |f: &dyn Fn(&DeployedMachine) -> bool| machines.iter().filter(|m| f(m)).count();
        let done = count(&|m| matches!(m.state, Running | Stopped));
        let failed = count(&|m| m.state == Failed);
        let in_progress = count(&|m| m.state == Provisioning);
        DeploymentStatus {
            deployment,
            total: machines.len(),
            done,
            failed,
            in_progress,
            machines,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roster_csv() {
        let lines =
            parse_roster_csv("username,display name,email\nann\nbob, Bob B ,bob@example.org\n\n")
                .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].display_name, "Bob B");
        assert_eq!(lines[1].email.as_deref(), Some("bob@example.org"));
        let err = parse_roster_csv("ann\nb d,x\n").unwrap_err();
        assert_eq!(err.0[0].field, "csv line 2");
    }

    #[test]
    fn machine_names_follow_code_and_student() {
        let code = Hostname::parse("code", "OS101").unwrap();
        let u = Username::from_trusted("j.doe_2".into());
        assert_eq!(machine_name(&code, &u).unwrap().as_str(), "os101-j-doe-2");
    }

    #[test]
    fn batch_refused_with_numbers() {
        let q = Quota {
            machines: 10,
            cpus: 20,
            memory_mib: 20480,
            disk_gib: 200,
        };
        let used = Usage {
            machines: 2,
            cpus: 4,
            memory_mib: 4096,
            disk_gib: 40,
        };
        let each = Resources {
            cpus: 2,
            memory_mib: 2048,
            disk_gib: 20,
        };
        assert!(admit_batch(&q, &used, &each, 8).is_ok());
        let err = admit_batch(&q, &used, &each, 9).unwrap_err();
        assert_eq!(err.0[0].field, "machines");
        assert!(
            err.0[0].message.to_string().contains("10"),
            "{}",
            err.0[0].message
        );
    }

    #[test]
    fn course_input() {
        let input = CourseInput {
            name: "Operating systems".into(),
            code: "os101".into(),
            term_end: Some("2027-02-01".into()),
            ..Default::default()
        };
        assert!(NewCourse::parse(&input).unwrap().term_end.is_some());
        let bad = CourseInput {
            term_end: Some("next week".into()),
            ..input
        };
        assert_eq!(NewCourse::parse(&bad).unwrap_err().0[0].field, "term_end");
    }
}
