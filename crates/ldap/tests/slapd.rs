//! `LdapDirectory` against a real OpenLDAP server started for each test on a loopback port.

use std::time::{Duration, Instant};
use vmportal_core::{
    directory::{Directory, DirectoryError},
    user::Role,
};
use vmportal_ldap::{LdapConfig, LdapDirectory, Secret};
use vmportal_test_slapd::{
    ADMIN_GROUP, BASE_DN, PASSWORD, SEARCH_DN, SEARCH_PASSWORD, Slapd, USER_GROUP, person_dn,
};

fn config(url: &str) -> LdapConfig {
    LdapConfig {
        bind_dn: SEARCH_DN.into(),
        bind_password: Secret(SEARCH_PASSWORD.into()),
        ..LdapConfig::new(url, BASE_DN, ADMIN_GROUP, USER_GROUP)
    }
}

fn directory(slapd: &Slapd) -> LdapDirectory {
    LdapDirectory::new(config(&slapd.url())).unwrap()
}

#[tokio::test]
async fn groups_decide_the_role() {
    let slapd = Slapd::start();
    let dir = directory(&slapd);
    let ada = dir.authenticate("ada", PASSWORD).await.unwrap();
    assert_eq!(ada.dn, person_dn("ada"));
    assert_eq!(ada.username, "ada");
    assert_eq!(ada.display_name, "Ada Lovelace");
    assert_eq!(ada.email.as_deref(), Some("ada@school.example"));
    assert_eq!(ada.groups, [ADMIN_GROUP, USER_GROUP]);
    assert_eq!(ada.role, Some(Role::Admin), "admin wins over user");
    let bob = dir.authenticate("bob", PASSWORD).await.unwrap();
    assert_eq!(
        (bob.groups, bob.role),
        (vec![USER_GROUP.into()], Some(Role::User))
    );
    // The directory compares uid without regard to case; its own spelling comes back.
    assert_eq!(
        dir.authenticate(" BOB ", PASSWORD).await.unwrap().username,
        "bob"
    );
}

#[tokio::test]
async fn members_of_no_group_are_refused_but_can_be_looked_up() {
    let slapd = Slapd::start();
    let dir = directory(&slapd);
    assert_eq!(
        dir.authenticate("cy", PASSWORD).await,
        Err(DirectoryError::NotAllowed)
    );
    // With a wrong password the same person is simply a failed sign-in: no hint about groups.
    assert_eq!(
        dir.authenticate("cy", "wrong password").await,
        Err(DirectoryError::BadCredentials)
    );
    let cy = dir.lookup("cy").await.unwrap().expect("cy exists");
    assert_eq!((cy.groups.len(), cy.role), (0, None));
    assert_eq!(
        dir.lookup("bob").await.unwrap().unwrap().role,
        Some(Role::User)
    );
    assert_eq!(dir.lookup("nobody").await, Ok(None));
}

#[tokio::test]
async fn wrong_password_and_unknown_user_give_the_same_error() {
    let slapd = Slapd::start();
    let dir = directory(&slapd);
    let wrong = dir.authenticate("ada", "not her password").await;
    let unknown = dir.authenticate("nobody", PASSWORD).await;
    assert_eq!(wrong, Err(DirectoryError::BadCredentials));
    assert_eq!(unknown, wrong);
}

#[tokio::test]
async fn an_empty_password_is_refused_before_any_bind() {
    // Nothing listens here: had a connection been tried, the answer would be `Unavailable`.
    let nowhere = LdapDirectory::new(config("ldap://127.0.0.1:1")).unwrap();
    for (user, password) in [("ada", ""), ("", PASSWORD), ("  ", PASSWORD)] {
        assert_eq!(
            nowhere.authenticate(user, password).await,
            Err(DirectoryError::BadCredentials),
            "{user:?}"
        );
    }
    // And against the real server: an anonymous bind would succeed, the sign-in must not.
    let slapd = Slapd::start();
    assert_eq!(
        directory(&slapd).authenticate("ada", "").await,
        Err(DirectoryError::BadCredentials)
    );
}

#[tokio::test]
async fn filter_injection_in_the_username_changes_nothing() {
    let slapd = Slapd::start();
    let dir = directory(&slapd);
    assert!(dir.authenticate("ada", PASSWORD).await.is_ok());
    // Unescaped, each of these would have matched ada (or everyone) and accepted her password.
    for name in [
        "*",
        "ad*",
        "ada*",
        "*)(uid=*",
        "ada)(objectClass=*",
        "ada)(|(uid=*",
        "*))(|(uid=*",
        "ada\\",
        "ada\0",
        "(uid=ada)",
    ] {
        assert_eq!(
            dir.authenticate(name, PASSWORD).await,
            Err(DirectoryError::BadCredentials),
            "{name:?}"
        );
        assert_eq!(dir.lookup(name).await, Ok(None), "{name:?}");
    }
}

#[tokio::test]
async fn changes_in_the_directory_apply_at_the_next_sign_in() {
    let slapd = Slapd::start();
    let dir = directory(&slapd);
    assert_eq!(
        dir.authenticate("bob", PASSWORD).await.unwrap().role,
        Some(Role::User)
    );
    slapd.add_member(ADMIN_GROUP, "bob");
    assert_eq!(
        dir.authenticate("bob", PASSWORD).await.unwrap().role,
        Some(Role::Admin)
    );
    slapd.remove_member(ADMIN_GROUP, "bob");
    slapd.remove_member(USER_GROUP, "bob");
    assert_eq!(
        dir.authenticate("bob", PASSWORD).await,
        Err(DirectoryError::NotAllowed)
    );
    slapd.delete_person("eve");
    assert_eq!(
        dir.authenticate("eve", PASSWORD).await,
        Err(DirectoryError::BadCredentials)
    );
    assert_eq!(dir.lookup("eve").await, Ok(None));
}

#[tokio::test]
async fn a_stopped_or_silent_directory_is_unavailable() {
    let mut slapd = Slapd::start();
    let dir = directory(&slapd);
    assert!(dir.authenticate("bob", PASSWORD).await.is_ok());
    slapd.stop();
    assert!(matches!(
        dir.authenticate("bob", PASSWORD).await,
        Err(DirectoryError::Unavailable(_))
    ));
    assert!(matches!(
        dir.lookup("bob").await,
        Err(DirectoryError::Unavailable(_))
    ));

    // A server that accepts the connection and never answers: the time-out ends the wait.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ldap://{}", silent.local_addr().unwrap());
    let dir = LdapDirectory::new(LdapConfig {
        timeout_secs: 1,
        ..config(&url)
    })
    .unwrap();
    let started = Instant::now();
    let answer = dir.authenticate("bob", PASSWORD).await;
    assert!(
        matches!(&answer, Err(DirectoryError::Unavailable(m)) if m.contains("1 s")),
        "{answer:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn settings_that_do_not_fit_the_directory_are_reported_as_such() {
    let slapd = Slapd::start();
    let wrong_account = LdapDirectory::new(LdapConfig {
        bind_password: Secret("not the search password".into()),
        ..config(&slapd.url())
    })
    .unwrap();
    let answer = wrong_account.authenticate("ada", PASSWORD).await;
    assert!(
        matches!(&answer, Err(DirectoryError::Misconfigured(m)) if m.contains("bind_dn")),
        "{answer:?}"
    );
    let wrong_base = LdapDirectory::new(LdapConfig {
        base_dn: "ou=nowhere,dc=school,dc=example".into(),
        ..config(&slapd.url())
    })
    .unwrap();
    assert!(matches!(
        wrong_base.lookup("ada").await,
        Err(DirectoryError::Misconfigured(_))
    ));
    assert!(LdapDirectory::new(config("http://127.0.0.1")).is_err());
    let missing_ca = LdapDirectory::new(LdapConfig {
        ca_file: Some("/nonexistent/ca.pem".into()),
        ..config(&slapd.url())
    });
    assert!(missing_ca.err().unwrap().contains("ca_file"));
}

#[tokio::test]
async fn the_group_filter_can_match_on_the_username() {
    let slapd = Slapd::start();
    let dir = LdapDirectory::new(LdapConfig {
        group_filter: format!(
            "(&(objectClass=groupOfNames)(member=uid={{username}},ou=people,{BASE_DN}))"
        ),
        ..config(&slapd.url())
    })
    .unwrap();
    assert_eq!(
        dir.authenticate("ada", PASSWORD).await.unwrap().role,
        Some(Role::Admin)
    );
}

#[tokio::test]
async fn starttls_and_ldaps_with_the_servers_ca() {
    let slapd = Slapd::start_with_tls();
    let dir = LdapDirectory::new(LdapConfig {
        starttls: true,
        ca_file: Some(slapd.ca_file()),
        ..config(&slapd.url())
    })
    .unwrap();
    assert_eq!(
        dir.authenticate("ada", PASSWORD).await.unwrap().role,
        Some(Role::Admin)
    );
    let ldaps = LdapDirectory::new(LdapConfig {
        ca_file: Some(slapd.ca_file()),
        ..config(&slapd.ldaps_url())
    })
    .unwrap();
    assert_eq!(
        ldaps.authenticate("bob", PASSWORD).await.unwrap().role,
        Some(Role::User)
    );
    // The system's roots do not know the test CA: the connection is refused, not downgraded.
    let untrusted = LdapDirectory::new(LdapConfig {
        starttls: true,
        ..config(&slapd.url())
    })
    .unwrap();
    let answer = untrusted.authenticate("ada", PASSWORD).await;
    assert!(
        matches!(&answer, Err(DirectoryError::Unavailable(m)) if m.contains("certificate")),
        "{answer:?}"
    );
}
