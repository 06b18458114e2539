use super::{
    Backend, Conn, audit, backend, corrupt,
    rows::{MachineRow, all, secs, ts},
};
use async_trait::async_trait;
use sqlx::FromRow;
use vmportal_core::{
    audit::{Actor, NewAuditEvent, action},
    course::{
        Course, CourseSettings, DeployedMachine, Deployment, DeploymentStatus, Membership,
        NewCourse, Roster, admit_batch,
    },
    ids::{CourseId, DeploymentId, JobId, MachineId, TemplateId, UserId},
    machine::Machine,
    names::{Hostname, Username},
    now,
    quota::{Quota, Usage},
    resources::Resources,
    store::{CourseStore, Deployed, NewDeployment, StoreError, StoreResult},
};

#[derive(FromRow)]
struct CourseRow {
    id: i64,
    name: String,
    code: String,
    term_end: Option<String>,
    quota_machines: i64,
    quota_cpus: i64,
    quota_memory_mib: i64,
    quota_disk_gib: i64,
    teacher_full_console: bool,
    teacher_may_delete: bool,
    created_at: i64,
}

macro_rules! course_select {
    () => {
        "SELECT id, name, code, term_end, quota_machines, quota_cpus, quota_memory_mib, \
         quota_disk_gib, teacher_full_console, teacher_may_delete, created_at FROM courses"
    };
}

pub(crate) const DATE: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

impl CourseRow {
    fn into_course(self, template_ids: Vec<TemplateId>) -> StoreResult<Course> {
        Ok(Course {
            id: CourseId(self.id),
            name: self.name,
            code: Hostname::from_trusted(self.code),
            term_end: self
                .term_end
                .map(|d| time::Date::parse(&d, DATE))
                .transpose()
                .map_err(corrupt)?,
            template_ids,
            quota: Quota {
                machines: self.quota_machines,
                cpus: self.quota_cpus,
                memory_mib: self.quota_memory_mib,
                disk_gib: self.quota_disk_gib,
            },
            settings: CourseSettings {
                teacher_full_console: self.teacher_full_console,
                teacher_may_delete: self.teacher_may_delete,
            },
            created_at: ts(self.created_at)?,
        })
    }
}

async fn fetch(conn: &mut Conn, id: CourseId) -> StoreResult<Option<Course>> {
    let row: Option<CourseRow> = sqlx::query_as(concat!(course_select!(), " WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend)?;
    match row {
        None => Ok(None),
        Some(row) => {
            let templates = templates_of(conn, id).await?;
            row.into_course(templates).map(Some)
        }
    }
}

async fn templates_of(conn: &mut Conn, id: CourseId) -> StoreResult<Vec<TemplateId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT template_id FROM course_templates WHERE course_id = $1 ORDER BY template_id",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await
    .map_err(backend)?;
    Ok(ids.into_iter().map(TemplateId).collect())
}

/// Writes the course's fields and templates (a unique code is checked by the database).
async fn write_fields(
    conn: &mut Conn,
    id: Option<CourseId>,
    new: &NewCourse,
) -> StoreResult<CourseId> {
    let term_end = new
        .term_end
        .map(|d| d.format(DATE))
        .transpose()
        .map_err(corrupt)?;
    let taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM courses WHERE code = $1 AND id IS DISTINCT FROM $2")
            .bind(new.code.as_str())
            .bind(id.map(|c| c.0))
            .fetch_optional(&mut *conn)
            .await
            .map_err(backend)?;
    if taken.is_some() {
        return Err(vmportal_core::Invalid::field(
            "code",
            vmportal_core::msg("err-course-code-taken"),
        )
        .into());
    }
    let q = new.quota;
    let id: i64 = sqlx::query_scalar(concat!(
        "INSERT INTO courses (id, name, code, term_end, quota_machines, quota_cpus, quota_memory_mib, \
         quota_disk_gib, teacher_full_console, teacher_may_delete, created_at) VALUES (",
        id_or_new!("$1", "courses"),
        ", $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, code = excluded.code, \
         term_end = excluded.term_end, quota_machines = excluded.quota_machines, \
         quota_cpus = excluded.quota_cpus, quota_memory_mib = excluded.quota_memory_mib, \
         quota_disk_gib = excluded.quota_disk_gib, \
         teacher_full_console = excluded.teacher_full_console, \
         teacher_may_delete = excluded.teacher_may_delete RETURNING id"
    ))
    .bind(id.map(|c| c.0))
    .bind(&new.name)
    .bind(new.code.as_str())
    .bind(term_end)
    .bind(q.machines)
    .bind(q.cpus)
    .bind(q.memory_mib)
    .bind(q.disk_gib)
    .bind(new.settings.teacher_full_console)
    .bind(new.settings.teacher_may_delete)
    .bind(secs(now()))
    .fetch_one(&mut *conn)
    .await
    .map_err(backend)?;
    sqlx::query("DELETE FROM course_templates WHERE course_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    for t in &new.template_ids {
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM templates WHERE id = $1")
            .bind(t.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(backend)?;
        if known.is_none() {
            return Err(vmportal_core::Invalid::field(
                "template_ids",
                vmportal_core::msg("err-no-template-id").arg("id", t.to_string()),
            )
            .into());
        }
        sqlx::query(
            "INSERT INTO course_templates (course_id, template_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(t.0)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    }
    Ok(CourseId(id))
}

fn course_event(action: &'static str, c: &Course) -> NewAuditEvent {
    NewAuditEvent {
        action,
        object_type: "course",
        object_id: Some(c.id.0),
        detail: format!("{} ({})", c.name, c.code),
    }
}

/// Pending course requests plus course machines not deleted.
pub(crate) async fn usage(conn: &mut Conn, course: CourseId) -> StoreResult<Usage> {
    let (machines, cpus, memory_mib, disk_gib): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(cpus), 0) AS BIGINT), CAST(COALESCE(SUM(memory_mib), 0) AS BIGINT), \
         CAST(COALESCE(SUM(disk_gib), 0) AS BIGINT) FROM ( \
           SELECT cpus, memory_mib, disk_gib FROM requests WHERE course_id = $1 AND state = 'pending' \
           UNION ALL \
           SELECT cpus, memory_mib, disk_gib FROM machines WHERE course_id = $1 AND state <> 'deleted') AS held",
    )
    .bind(course.0)
    .fetch_one(conn)
    .await
    .map_err(backend)?;
    Ok(Usage {
        machines,
        cpus,
        memory_mib,
        disk_gib,
    })
}

#[async_trait]
impl CourseStore for Backend {
    async fn create_course(&self, new: NewCourse, by: &Actor) -> StoreResult<Course> {
        let mut tx = self.write().await?;
        let id = write_fields(&mut tx, None, &new).await?;
        let course = fetch(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        audit::write(&mut tx, by, course_event(action::COURSE_CREATE, &course)).await?;
        tx.commit().await.map_err(backend)?;
        Ok(course)
    }

    async fn course(&self, id: CourseId) -> StoreResult<Option<Course>> {
        fetch(&mut *self.pool.acquire().await.map_err(backend)?, id).await
    }

    async fn courses(&self, member: Option<UserId>) -> StoreResult<Vec<Course>> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        let rows: Vec<CourseRow> = sqlx::query_as(concat!(
            course_select!(),
            " WHERE $1 IS NULL OR id IN \
             (SELECT course_id FROM course_members WHERE user_id = $1) ORDER BY code"
        ))
        .bind(member.map(|u| u.0))
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
        let mut courses = Vec::with_capacity(rows.len());
        for row in rows {
            let templates = templates_of(&mut conn, CourseId(row.id)).await?;
            courses.push(row.into_course(templates)?);
        }
        Ok(courses)
    }

    async fn update_course(&self, id: CourseId, new: NewCourse, by: &Actor) -> StoreResult<Course> {
        let mut tx = self.write().await?;
        fetch(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        write_fields(&mut tx, Some(id), &new).await?;
        let course = fetch(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        audit::write(&mut tx, by, course_event(action::COURSE_UPDATE, &course)).await?;
        tx.commit().await.map_err(backend)?;
        Ok(course)
    }

    async fn delete_course(&self, id: CourseId, by: &Actor) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let course = fetch(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        let held = usage(&mut tx, id).await?;
        if held.machines > 0 {
            return Err(StoreError::Busy(
                vmportal_core::msg("err-course-not-empty").arg("count", held.machines),
            ));
        }
        sqlx::query("DELETE FROM courses WHERE id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        audit::write(&mut tx, by, course_event(action::COURSE_DELETE, &course)).await?;
        tx.commit().await.map_err(backend)?;
        Ok(())
    }

    async fn roster(&self, id: CourseId) -> StoreResult<Roster> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT u.username, m.membership FROM course_members m JOIN users u ON u.id = m.user_id \
             WHERE m.course_id = $1 ORDER BY u.username",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let mut roster = Roster {
            ldap_group: sqlx::query_scalar("SELECT ldap_group FROM courses WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?
                .flatten(),
            ..Roster::default()
        };
        for (name, membership) in rows {
            let name = Username::from_trusted(name);
            match membership.parse::<Membership>().map_err(corrupt)? {
                Membership::Teacher => roster.teachers.push(name),
                Membership::Student => roster.students.push(name),
            }
        }
        Ok(roster)
    }

    async fn set_roster_group(
        &self,
        id: CourseId,
        group: Option<&str>,
        by: &Actor,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let course = fetch(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        sqlx::query("UPDATE courses SET ldap_group = $1 WHERE id = $2")
            .bind(group)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let mut event = course_event(action::COURSE_ROSTER, &course);
        event.detail = match group {
            Some(g) => format!("{}: students follow the directory group {g}", event.detail),
            None => format!("{}: students kept by hand", event.detail),
        };
        audit::write(&mut tx, by, event).await?;
        tx.commit().await.map_err(backend)?;
        Ok(())
    }

    async fn group_courses(&self) -> StoreResult<Vec<CourseId>> {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM courses WHERE ldap_group IS NOT NULL ORDER BY id")
                .fetch_all(&self.pool)
                .await
                .map_err(backend)?;
        Ok(ids.into_iter().map(CourseId).collect())
    }

    async fn set_roster(
        &self,
        id: CourseId,
        teachers: &[UserId],
        students: &[UserId],
        by: &Actor,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let course = fetch(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        if let Some(both) = teachers.iter().find(|t| students.contains(t)) {
            return Err(vmportal_core::Invalid::field(
                "students",
                vmportal_core::msg("err-teacher-and-student").arg("id", both.to_string()),
            )
            .into());
        }
        sqlx::query("DELETE FROM course_members WHERE course_id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for (users, membership) in [
            (teachers, Membership::Teacher),
            (students, Membership::Student),
        ] {
            for user in users {
                sqlx::query(
                    "INSERT INTO course_members (course_id, user_id, membership) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(id.0)
                .bind(user.0)
                .bind(membership.as_str())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            }
        }
        let mut event = course_event(action::COURSE_ROSTER, &course);
        event.detail = format!(
            "{}: {} teacher(s), {} student(s)",
            event.detail,
            teachers.len(),
            students.len()
        );
        audit::write(&mut tx, by, event).await?;
        tx.commit().await.map_err(backend)?;
        Ok(())
    }

    async fn membership(&self, id: CourseId, user: UserId) -> StoreResult<Option<Membership>> {
        let m: Option<String> = sqlx::query_scalar(
            "SELECT membership FROM course_members WHERE course_id = $1 AND user_id = $2",
        )
        .bind(id.0)
        .bind(user.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        m.map(|m| m.parse().map_err(corrupt)).transpose()
    }

    async fn teaching(
        &self,
        teacher: UserId,
        course: CourseId,
    ) -> StoreResult<Option<CourseSettings>> {
        let row: Option<(bool, bool)> = sqlx::query_as(
            "SELECT c.teacher_full_console, c.teacher_may_delete FROM courses c \
             JOIN course_members m ON m.course_id = c.id \
             WHERE c.id = $1 AND m.user_id = $2 AND m.membership = 'teacher'",
        )
        .bind(course.0)
        .bind(teacher.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        Ok(row.map(|(full, delete)| CourseSettings {
            teacher_full_console: full,
            teacher_may_delete: delete,
        }))
    }

    async fn course_usage(&self, id: CourseId) -> StoreResult<Usage> {
        usage(&mut *self.pool.acquire().await.map_err(backend)?, id).await
    }

    async fn deploy(&self, new: NewDeployment, by: &Actor) -> StoreResult<Deployed> {
        let mut tx = self.write().await?;
        let course = fetch(&mut tx, new.course_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let provider: String = sqlx::query_scalar("SELECT provider FROM templates WHERE id = $1")
            .bind(new.template_id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?
            .ok_or(StoreError::NotFound)?;
        // Never a second machine for a student who has one (or asked for one) in the course; a
        // machine that failed to build is built again instead (it counts in the quota already).
        let served: Vec<i64> = sqlx::query_scalar(
            "SELECT owner_id FROM machines WHERE course_id = $1 AND state <> 'deleted' \
             UNION SELECT user_id FROM requests WHERE course_id = $1 AND state = 'pending'",
        )
        .bind(course.id.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        let failed: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, owner_id FROM machines WHERE course_id = $1 AND state = 'failed' \
             AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.machine_id = machines.id \
               AND j.state IN ('queued', 'running'))",
        )
        .bind(course.id.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        // Only for students still on the roster.
        let failed: Vec<(i64, i64)> = failed
            .into_iter()
            .filter(|(_, owner)| new.students.iter().any(|(u, _)| u.0 == *owner))
            .collect();
        let todo: Vec<_> = new
            .students
            .into_iter()
            .filter(|(u, _)| !served.contains(&u.0))
            .collect();
        let r = new.resources;
        admit_batch(
            &course.quota,
            &usage(&mut tx, course.id).await?,
            &r,
            todo.len() as i64,
        )?;
        let t = secs(now());
        let deployment_id: i64 = sqlx::query_scalar(
            "INSERT INTO deployments (course_id, template_id, cpus, memory_mib, disk_gib, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(course.id.0)
        .bind(new.template_id.0)
        .bind(r.cpus)
        .bind(r.memory_mib)
        .bind(r.disk_gib)
        .bind(by.user.map(|u| u.0))
        .bind(t)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        let (mut machines, mut jobs) = (Vec::new(), Vec::new());
        let mut retried = 0;
        for (machine_id, _) in &failed {
            sqlx::query(
                "UPDATE machines SET state = 'provisioning', last_error = NULL, updated_at = $1 WHERE id = $2",
            )
            .bind(t)
            .bind(machine_id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            machines.push(MachineId(*machine_id));
            jobs.push(JobId(provision_job(&mut tx, *machine_id, t).await?));
            retried += 1;
        }
        for (student, name) in &todo {
            // An approved request per machine keeps one history for every machine.
            let request_id: i64 = sqlx::query_scalar(
                "INSERT INTO requests (user_id, template_id, name, cpus, memory_mib, disk_gib, purpose, \
                 state, decided_by, decided_at, created_at, course_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'approved', $8, $9, $10, $11) RETURNING id",
            )
            .bind(student.0)
            .bind(new.template_id.0)
            .bind(name.as_str())
            .bind(r.cpus)
            .bind(r.memory_mib)
            .bind(r.disk_gib)
            .bind(format!("deployment {deployment_id} of {}", course.code))
            .bind(by.user.map(|u| u.0))
            .bind(t)
            .bind(t)
            .bind(course.id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
            let machine_id: i64 = sqlx::query_scalar(
                "INSERT INTO machines (request_id, owner_id, template_id, provider, name, cpus, memory_mib, \
                 disk_gib, state, created_at, updated_at, course_id, deployment_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'provisioning', $9, $10, $11, $12) RETURNING id",
            )
            .bind(request_id)
            .bind(student.0)
            .bind(new.template_id.0)
            .bind(&provider)
            .bind(name.as_str())
            .bind(r.cpus)
            .bind(r.memory_mib)
            .bind(r.disk_gib)
            .bind(t)
            .bind(t)
            .bind(course.id.0)
            .bind(deployment_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
            super::leases::start_lease(&mut tx, machine_id, new.template_id, ts(t)?).await?;
            machines.push(MachineId(machine_id));
            jobs.push(JobId(provision_job(&mut tx, machine_id, t).await?));
        }
        audit::write(
            &mut tx,
            by,
            NewAuditEvent {
                action: action::COURSE_DEPLOY,
                object_type: "course",
                object_id: Some(course.id.0),
                detail: format!(
                    "deployment {deployment_id} of {}: {} new machine(s), {retried} failed one(s) \
                     built again ({} CPU, {} MiB, {} GiB each)",
                    course.code,
                    machines.len() - retried,
                    r.cpus,
                    r.memory_mib,
                    r.disk_gib
                ),
            },
        )
        .await?;
        let deployment = deployment_row(&mut tx, course.id, DeploymentId(deployment_id))
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await.map_err(backend)?;
        Ok(Deployed {
            deployment,
            machines,
            jobs,
        })
    }

    async fn deployment(
        &self,
        course: CourseId,
        id: DeploymentId,
    ) -> StoreResult<Option<DeploymentStatus>> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        let Some(deployment) = deployment_row(&mut conn, course, id).await? else {
            return Ok(None);
        };
        let rows: Vec<MachineRow> = sqlx::query_as(concat!(
            machine_select!(),
            " WHERE m.deployment_id = $1 ORDER BY m.name"
        ))
        .bind(id.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
        let machines = all(rows, MachineRow::into_machine)?
            .into_iter()
            .map(|m| DeployedMachine {
                machine_id: m.id,
                name: m.name,
                owner: m.owner,
                state: m.state,
                progress: m.current_job.as_ref().map_or(0, |j| j.progress),
                error: m.last_error,
            })
            .collect();
        Ok(Some(DeploymentStatus::new(deployment, machines)))
    }

    async fn course_machines(&self, id: CourseId) -> StoreResult<Vec<Machine>> {
        let rows: Vec<MachineRow> = sqlx::query_as(concat!(
            machine_select!(),
            " WHERE m.course_id = $1 AND m.state <> 'deleted' ORDER BY m.name"
        ))
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        all(rows, MachineRow::into_machine)
    }
}

async fn provision_job(conn: &mut Conn, machine: i64, t: i64) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO jobs (kind, machine_id, state, message, run_after, created_at, updated_at) \
         VALUES ('provision', $1, 'queued', 'waiting for a worker', $2, $3, $4) RETURNING id",
    )
    .bind(machine)
    .bind(t)
    .bind(t)
    .bind(t)
    .fetch_one(conn)
    .await
    .map_err(backend)
}

#[derive(FromRow)]
struct DeploymentRow {
    template_id: i64,
    cpus: i64,
    memory_mib: i64,
    disk_gib: i64,
    course_id: i64,
    created_by: Option<String>,
    created_at: i64,
}

async fn deployment_row(
    conn: &mut Conn,
    course: CourseId,
    id: DeploymentId,
) -> StoreResult<Option<Deployment>> {
    let row: Option<DeploymentRow> = sqlx::query_as(
        "SELECT d.template_id, d.cpus, d.memory_mib, d.disk_gib, d.course_id, \
         u.username AS created_by, d.created_at \
         FROM deployments d LEFT JOIN users u ON u.id = d.created_by WHERE d.id = $1 AND d.course_id = $2",
    )
    .bind(id.0)
    .bind(course.0)
    .fetch_optional(conn)
    .await
    .map_err(backend)?;
    row.map(|r| {
        Ok(Deployment {
            id,
            course_id: CourseId(r.course_id),
            template_id: TemplateId(r.template_id),
            resources: Resources {
                cpus: r.cpus,
                memory_mib: r.memory_mib,
                disk_gib: r.disk_gib,
            },
            created_by: r.created_by.map(Username::from_trusted),
            created_at: ts(r.created_at)?,
        })
    })
    .transpose()
}
