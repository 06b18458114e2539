use super::{
    Backend, Conn, audit, backend,
    list::{self, Where, order_by},
    rows::UserRow,
    unique_as,
};
use async_trait::async_trait;
use vmportal_core::{
    audit::{Actor, NewAuditEvent, action},
    ids::UserId,
    msg, now,
    store::{Listed, StoreError, StoreResult, UserQuery, UserSort, UserStatus, UserStore},
    user::{NewUser, User, UserPatch},
};

#[async_trait]
impl UserStore for Backend {
    async fn create_user(&self, new: NewUser, by: &Actor) -> StoreResult<User> {
        let mut tx = self.write().await?;
        let user = insert(&mut tx, new, by).await?;
        tx.commit().await.map_err(backend)?;
        Ok(user)
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        fetch(&mut *self.pool.acquire().await.map_err(backend)?, id).await
    }

    async fn user_for_login(&self, username: &str) -> StoreResult<Option<(User, Option<String>)>> {
        let row: Option<(i64, Option<String>)> =
            sqlx::query_as("SELECT id, password_hash FROM users WHERE username = $1")
                .bind(username)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        let Some((id, hash)) = row else {
            return Ok(None);
        };
        Ok(self.user(UserId(id)).await?.map(|u| (u, hash)))
    }

    async fn users(&self, query: &UserQuery) -> StoreResult<Listed<User>> {
        let filter = Where::default()
            .eq_int("id", query.scope.map(|u| u.0))
            .eq_int(
                "disabled",
                query.state.map(|s| i64::from(s == UserStatus::Disabled)),
            )
            .eq_text("username", query.owner.as_deref())
            .contains(&["username", "display_name", "email"], query.q.as_deref());
        let (expr, desc) = match query.sort.key {
            UserSort::Username => ("username", false),
            UserSort::Created => ("id", false),
            UserSort::Role => ("role", false),
            UserSort::Name => ("display_name", false),
        };
        list::fetch(
            &self.pool,
            concat!("SELECT ", user_columns!(), " FROM users"),
            "SELECT COUNT(*) FROM users",
            &filter,
            &order_by(expr, desc, query.sort.descending, "id"),
            query.page,
            UserRow::into_user,
        )
        .await
    }

    async fn count_users(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await
            .map_err(backend)
    }

    async fn update_user(&self, id: UserId, patch: UserPatch, by: &Actor) -> StoreResult<User> {
        let mut tx = self.write().await?;
        let before = fetch(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        let quota = patch.quota_override.unwrap_or(before.quota_override);
        sqlx::query(
            "UPDATE users SET display_name = $1, email = $2, role = $3, disabled = $4, \
             password_hash = COALESCE($5, password_hash), quota_machines = $6, quota_cpus = $7, \
             quota_memory_mib = $8, quota_disk_gib = $9, ssh_public_key = $10, \
             must_change_password = $11 WHERE id = $12",
        )
        .bind(patch.display_name.as_ref().unwrap_or(&before.display_name))
        .bind(patch.email.as_ref().unwrap_or(&before.email))
        .bind(patch.role.unwrap_or(before.role).as_str())
        .bind(patch.disabled.unwrap_or(before.disabled))
        .bind(&patch.password_hash)
        .bind(quota.machines)
        .bind(quota.cpus)
        .bind(quota.memory_mib)
        .bind(quota.disk_gib)
        .bind(
            patch
                .ssh_public_key
                .as_ref()
                .unwrap_or(&before.ssh_public_key),
        )
        .bind(
            patch
                .must_change_password
                .unwrap_or(before.must_change_password),
        )
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        // A disabled account or a new password ends every session: whoever held the old one is out.
        if patch.disabled == Some(true) || patch.password_hash.is_some() {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        // A new password ends the API tokens too: one made by whoever knew the old password must
        // not outlive it.
        if patch.password_hash.is_some() {
            sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        audit::write(
            &mut tx,
            by,
            NewAuditEvent {
                action: action::USER_UPDATE,
                object_type: "user",
                object_id: Some(id.0),
                detail: format!("{}: {}", before.username, patch.changed_fields().join(", ")),
            },
        )
        .await?;
        let user = fetch(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await.map_err(backend)?;
        Ok(user)
    }
}

/// Creates the user, with its audit event, in the caller's transaction.
pub(super) async fn insert(tx: &mut Conn, new: NewUser, by: &Actor) -> StoreResult<User> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, display_name, email, role, source, password_hash, \
         must_change_password, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(new.username.as_str())
    .bind(&new.display_name)
    .bind(&new.email)
    .bind(new.role.as_str())
    .bind(new.source.as_str())
    .bind(&new.password_hash)
    .bind(new.must_change_password)
    .bind(now().unix_timestamp())
    .fetch_one(&mut *tx)
    .await
    .map_err(unique_as("username", msg("err-username-taken")))?;
    audit::write(
        tx,
        by,
        NewAuditEvent {
            action: action::USER_CREATE,
            object_type: "user",
            object_id: Some(id),
            detail: format!("{} ({}, {})", new.username, new.role, new.source),
        },
    )
    .await?;
    fetch(tx, UserId(id)).await?.ok_or(StoreError::NotFound)
}

pub(super) async fn fetch(conn: &mut Conn, id: UserId) -> StoreResult<Option<User>> {
    let row: Option<UserRow> = sqlx::query_as(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE id = $1"
    ))
    .bind(id.0)
    .fetch_optional(conn)
    .await
    .map_err(backend)?;
    row.map(UserRow::into_user).transpose()
}
