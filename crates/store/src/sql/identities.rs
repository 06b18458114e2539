//! Accounts' identities at OpenID providers.

use super::{Backend, Conn, audit, backend, unique_as, users};
use async_trait::async_trait;
use vmportal_core::{
    audit::{Actor, NewAuditEvent, action},
    ids::UserId,
    msg, now,
    store::{IdentityStore, StoreResult, UserStore},
    user::{NewUser, User},
};

#[async_trait]
impl IdentityStore for Backend {
    async fn user_by_identity(&self, issuer: &str, subject: &str) -> StoreResult<Option<User>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT user_id FROM oidc_identities WHERE issuer = $1 AND subject = $2",
        )
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        match id {
            Some(id) => self.user(UserId(id)).await,
            None => Ok(None),
        }
    }

    async fn create_identity_user(
        &self,
        new: NewUser,
        issuer: &str,
        subject: &str,
        by: &Actor,
    ) -> StoreResult<User> {
        let mut tx = self.write().await?;
        let user = users::insert(&mut tx, new, by).await?;
        link(&mut tx, user.id, issuer, subject, by).await?;
        tx.commit().await.map_err(backend)?;
        Ok(user)
    }
}

async fn link(
    tx: &mut Conn,
    user: UserId,
    issuer: &str,
    subject: &str,
    by: &Actor,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO oidc_identities (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(issuer)
    .bind(subject)
    .bind(user.0)
    .bind(now().unix_timestamp())
    .execute(&mut *tx)
    .await
    .map_err(unique_as("identity", msg("err-identity-linked")))?;
    audit::write(
        tx,
        by,
        NewAuditEvent {
            action: action::IDENTITY_LINK,
            object_type: "user",
            object_id: Some(user.0),
            detail: format!("{issuer} {subject}"),
        },
    )
    .await
}

// SQLite's migration 0013 moves a column; identities on both backends: tests/store.rs.
sqlite_only! {
#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqliteStore;
    use vmportal_core::{
        names::Username,
        user::{Role, UserSource},
    };

    fn new_user(name: &str) -> NewUser {
        NewUser {
            username: Username::parse("username", name).unwrap(),
            display_name: name.into(),
            email: None,
            role: Role::User,
            source: UserSource::Oidc,
            password_hash: None,
            must_change_password: false,
        }
    }

    /// Migration 0013 moves `users.source` to a column that allows `oidc`: accounts made before
    /// keep their source and their sessions, and `oidc` accounts can then be made.
    #[tokio::test]
    async fn accounts_before_0013_keep_their_source_and_identities_key_new_ones() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::connect(dir.path().join("t.db").to_str().unwrap())
            .await
            .unwrap();
        let mut before = sqlx::migrate!("./migrations/sqlite");
        before.migrations = before
            .migrations
            .iter()
            .filter(|m| m.version < 13)
            .cloned()
            .collect::<Vec<_>>()
            .into();
        before.run(&store.pool).await.unwrap();
        sqlx::query(
            "INSERT INTO users (username, role, source, created_at) VALUES \
             ('ada', 'admin', 'local', 0), ('bob', 'user', 'ldap', 0); \
             INSERT INTO sessions VALUES ('h', 2, 0, 0, 9999999999);",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        store.migrate().await.unwrap();

        let bob = store.user_for_login("bob").await.unwrap().unwrap().0;
        assert_eq!(bob.source, UserSource::Ldap);
        let ada = store.user_for_login("ada").await.unwrap().unwrap().0;
        assert_eq!((ada.source, ada.role), (UserSource::Local, Role::Admin));
        let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = 2")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(sessions, 1);

        let by = Actor::system("test");
        let iss = "https://id.school.example";
        let carol = store
            .create_identity_user(new_user("carol"), iss, "sub-1", &by)
            .await
            .unwrap();
        assert_eq!(carol.source, UserSource::Oidc);
        let found = store.user_by_identity(iss, "sub-1").await.unwrap().unwrap();
        assert_eq!(found.id, carol.id);
    }
}
}
