//! The binary as an operator runs it: commands, configuration, first start, crash and restart.

mod common;

use common::{first_admin_password, serve, serve_with, vmportal};
use serde_json::{Value, json};
use std::{
    io::Write,
    process::{Command, Output, Stdio},
};
use vmportal_test_slapd::{
    ADMIN_GROUP, BASE_DN, PASSWORD, SEARCH_DN, SEARCH_PASSWORD, Slapd, USER_GROUP,
};

const DEFAULTS: &str = include_str!("../default.toml");

fn run(cmd: &mut Command, stdin: Option<&str>) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn login(addr: &str, user: &str, password: &str) -> reqwest::StatusCode {
    login_json(addr, user, password).0
}

fn login_json(addr: &str, user: &str, password: &str) -> (reqwest::StatusCode, Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // reqwest has no crypto provider of its own in this workspace (see the Proxmox provider).
    let _ = rustls::crypto::ring::default_provider().install_default();
    rt.block_on(async {
        let r = reqwest::Client::new()
            .post(format!("http://{addr}/api/v1/login"))
            .json(&json!({"username": user, "password": password}))
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    })
}

#[test]
fn first_start_keeps_the_admin_password_out_of_the_log_and_data_survives_kill_9() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (child, addr, log) = serve(dir.path());
    // No terminal here: the password is in a file only the portal's account reads.
    let password = first_admin_password(dir.path(), &log);
    assert!(!log.iter().any(|l| l.contains(&password)), "{log:?}");
    let file = dir.path().join("data/initial-admin-password");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(
        dir.path().join("data/vmportal.db").exists(),
        "SQLite under ./data by default"
    );
    let (status, me) = login_json(&addr, "admin", &password);
    assert_eq!(status, reqwest::StatusCode::OK);
    assert_eq!(me["must_change_password"], true, "{me}");
    child.kill(); // SIGKILL: no chance to flush anything

    let (child, addr, log) = serve(dir.path());
    assert!(
        !log.iter().any(|l| l.contains("created user")),
        "no second admin"
    );
    assert_eq!(login(&addr, "admin", &password), reqwest::StatusCode::OK);
    child.kill();
}

#[test]
fn user_add_generates_or_reads_a_password_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        vmportal(dir.path()).args([
            "user",
            "add",
            "alice",
            "--admin",
            "--email",
            "alice@school.example",
        ]),
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let generated = stdout.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(
        stdout.contains("password (shown once)") && generated.len() == 20,
        "{stdout}"
    );

    let out = run(
        vmportal(dir.path()).args(["user", "add", "bob", "--password-stdin"]),
        Some("bobs secret pass\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "created bob");

    for (args, stdin, message) in [
        (
            vec!["user", "add", "alice"],
            None,
            "username: is already taken",
        ),
        (
            vec!["user", "add", "Not Valid"],
            None,
            "username: must start with a lower-case letter",
        ),
        (
            vec!["user", "add", "carol", "--password-stdin"],
            Some("short\n"),
            "password: must be at least 10",
        ),
        (
            vec!["user", "add", "dave", "--email", "nope"],
            None,
            "email: is not a valid e-mail address",
        ),
    ] {
        let out = run(vmportal(dir.path()).args(&args), stdin);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            text(&out.stderr).contains(message),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }

    let (child, addr, log) = serve(dir.path());
    assert!(
        !log.iter().any(|l| l.contains("created user 'admin'")),
        "users exist: no bootstrap admin"
    );
    assert_eq!(login(&addr, "alice", &generated), reqwest::StatusCode::OK);
    assert_eq!(
        login(&addr, "bob", "bobs secret pass"),
        reqwest::StatusCode::OK
    );
    child.kill();
}

#[test]
fn configuration_file_and_environment_override_defaults_and_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("elsewhere/portal.db");
    std::fs::write(
        dir.path().join("portal.toml"),
        format!("[database]\nurl = \"sqlite://{}\"\n", db.display()),
    )
    .unwrap();
    let out = run(
        vmportal(dir.path()).args(["migrate", "--config", "portal.toml"]),
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(db.exists());

    let env_db = dir.path().join("from-env.db");
    let out = run(
        vmportal(dir.path())
            .args(["migrate", "--config", "portal.toml"])
            .env(
                "VMPORTAL_DATABASE__URL",
                format!("sqlite://{}", env_db.display()),
            ),
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(env_db.exists(), "the environment wins over the file");

    type Case<'a> = (&'a str, Option<(&'a str, &'a str)>, &'a str);
    let cases: [Case; 5] = [
        (
            "[web]\npublic_url = \"ftp://x\"\n",
            None,
            "public_url must start with http",
        ),
        (
            "[web]\npublic_url = \"https://portal.example.org/vm\"\n",
            None,
            "public_url must be an origin",
        ),
        (
            "[web]\ncolour = \"blue\"\n",
            None,
            "unknown field: found `colour`",
        ),
        (
            "",
            Some(("VMPORTAL_SERVER__LISTEN", "not-an-address")),
            "invalid configuration",
        ),
        (
            "",
            Some(("VMPORTAL_WEB__SESSIONS__IDLE_MINUTES", "0")),
            "idle_minutes",
        ),
    ];
    for (file, env, message) in cases {
        std::fs::write(dir.path().join("bad.toml"), file).unwrap();
        let mut cmd = vmportal(dir.path());
        cmd.args(["migrate", "--config", "bad.toml"]);
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        let out = run(&mut cmd, None);
        assert!(!out.status.success(), "{file} {env:?}");
        assert!(
            text(&out.stderr).contains(message),
            "{file} {env:?}: {}",
            text(&out.stderr)
        );
    }
    let out = run(
        vmportal(dir.path()).args(["migrate", "--config", "missing.toml"]),
        None,
    );
    assert!(text(&out.stderr).contains("does not exist"));
}

#[test]
fn vmportal_config_names_the_file_as_the_readme_says() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("named-by-env.db");
    std::fs::write(
        dir.path().join("portal.toml"),
        format!("[database]\nurl = \"sqlite://{}\"\n", db.display()),
    )
    .unwrap();
    let out = run(
        vmportal(dir.path())
            .arg("migrate")
            .env("VMPORTAL_CONFIG", "portal.toml"),
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(db.exists(), "the file named by VMPORTAL_CONFIG was read");
}

#[test]
fn the_embedded_defaults_parse_and_match_the_api_contract() {
    let dir = tempfile::tempdir().unwrap();
    let (child, addr, _) = serve(dir.path());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let doc: Value = rt.block_on(async {
        reqwest::get(format!("http://{addr}/api/v1/openapi.json"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert!(doc["paths"]["/api/v1/requests/{id}/approve"]["post"].is_object());
    child.kill();
}

/// `[ldap]` given entirely through the environment, for a private slapd.
fn with_directory<'a>(cmd: &'a mut Command, slapd: &Slapd) -> &'a mut Command {
    cmd.env("VMPORTAL_LDAP__URL", slapd.url())
        .env("VMPORTAL_LDAP__BASE_DN", BASE_DN)
        .env("VMPORTAL_LDAP__BIND_DN", SEARCH_DN)
        .env("VMPORTAL_LDAP__BIND_PASSWORD", SEARCH_PASSWORD)
        .env("VMPORTAL_LDAP__ADMIN_GROUP", ADMIN_GROUP)
        .env("VMPORTAL_LDAP__USER_GROUP", USER_GROUP)
}

#[test]
fn ldap_test_shows_what_a_username_resolves_to() {
    let mut slapd = Slapd::start();
    let dir = tempfile::tempdir().unwrap();
    let test = |name: &str, slapd: &Slapd| {
        run(
            with_directory(vmportal(dir.path()).args(["ldap", "test", name]), slapd),
            None,
        )
    };
    let out = test("ada", &slapd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for line in [
        "dn: uid=ada,ou=people,dc=school,dc=example",
        "display name: Ada Lovelace",
        "email: ada@school.example",
        "groups: vmportal-admins, vmportal-users",
        "role: admin",
    ] {
        assert!(stdout.lines().any(|l| l == line), "{line}: {stdout}");
    }
    let out = test("cy", &slapd);
    assert!(text(&out.stdout).contains("role: none (in no allowed group"));

    let out = test("nobody", &slapd);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("has no entry for \"nobody\""));
    let out = run(vmportal(dir.path()).args(["ldap", "test", "ada"]), None);
    assert!(text(&out.stderr).contains("no directory is configured"));
    assert!(!dir.path().join("data").exists(), "no database was made");

    slapd.stop();
    let out = test("ada", &slapd);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("directory unreachable"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn serve_signs_directory_members_in() {
    let slapd = Slapd::start();
    let dir = tempfile::tempdir().unwrap();
    let (child, addr, log) = serve_with(with_directory(&mut vmportal(dir.path()), &slapd), None);
    assert!(log.iter().any(|l| l.contains("directory=true")), "{log:?}");
    assert_eq!(login(&addr, "ada", PASSWORD), reqwest::StatusCode::OK);
    assert_eq!(
        login(&addr, "cy", PASSWORD),
        reqwest::StatusCode::UNAUTHORIZED
    );
    child.kill();
}

#[test]
fn the_documented_ldap_settings_parse_and_mistakes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // The commented [ldap] example in the defaults, uncommented, is a valid configuration.
    let example: Vec<&str> = DEFAULTS
        .lines()
        .skip_while(|l| *l != "# [ldap]")
        .map(|l| l.strip_prefix("# ").unwrap_or(l))
        .collect();
    assert!(example.len() > 15, "the example is documented");
    std::fs::write(dir.path().join("ldap.toml"), example.join("\n")).unwrap();
    let out = run(
        vmportal(dir.path()).args(["migrate", "--config", "ldap.toml"]),
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let required = "base_dn = \"dc=x\"\nadmin_group = \"a\"\nuser_group = \"u\"\n";
    for (file, message) in [
        (
            format!("[ldap]\nurl = \"http://x\"\n{required}"),
            "ldap.url must start with ldap:// or ldaps://",
        ),
        (
            format!("[ldap]\nurl = \"ldap://x\"\nsearch_base = \"dc=x\"\n{required}"),
            "unknown field: found `search_base`",
        ),
        ("[ldap]\nurl = \"ldap://x\"\n".to_owned(), "missing field"),
    ] {
        std::fs::write(dir.path().join("bad.toml"), &file).unwrap();
        let out = run(
            vmportal(dir.path()).args(["migrate", "--config", "bad.toml"]),
            None,
        );
        assert!(!out.status.success(), "{file}");
        assert!(
            text(&out.stderr).contains(message),
            "{file}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn the_documented_proxmox_settings_parse_and_misspelt_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // The commented Proxmox example in the defaults, uncommented, is a valid configuration.
    let example: Vec<&str> = DEFAULTS
        .lines()
        .skip_while(|l| *l != "# [[providers]]")
        .take_while(|l| !l.is_empty())
        .map(|l| l.strip_prefix("# ").unwrap_or(l))
        .collect();
    assert!(
        example.iter().any(|l| l.starts_with("[providers.ssh]")),
        "the example is documented: {example:?}"
    );
    std::fs::write(dir.path().join("pve.toml"), example.join("\n")).unwrap();
    let out = run(
        vmportal(dir.path()).args(["migrate", "--config", "pve.toml"]),
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A provider's keys sit beside `name` and `kind`: a misspelt one is named, not ignored.
    let misspelt = example.join("\n").replace("swap_mib", "swap_mb");
    std::fs::write(dir.path().join("pve.toml"), misspelt).unwrap();
    let out = run(
        vmportal(dir.path()).args(["migrate", "--config", "pve.toml"]),
        None,
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("provider 'pve': unknown field(s) swap_mb"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_documented_oidc_settings_parse_and_mistakes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // The commented [[oidc]] example in the defaults, uncommented, is a valid configuration
    // once its client secret is in the environment.
    let example: Vec<&str> = DEFAULTS
        .lines()
        .skip_while(|l| *l != "# [[oidc]]")
        .take_while(|l| !l.is_empty())
        .map(|l| l.strip_prefix("# ").unwrap_or(l))
        .collect();
    assert!(example.len() > 10, "the example is documented: {example:?}");
    let example = example.join("\n");
    std::fs::write(dir.path().join("oidc.toml"), &example).unwrap();
    let secret = "SCHOOL_OIDC_SECRET";
    let migrate = |file: &str| {
        let mut cmd = vmportal(dir.path());
        cmd.args(["migrate", "--config", file]);
        cmd
    };
    let out = run(migrate("oidc.toml").env(secret, "s3cret"), None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(migrate("oidc.toml").env_remove(secret), None);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("SCHOOL_OIDC_SECRET (client_secret_env) is not set"));

    for (file, message) in [
        (
            example.replace("https://id.school.example", "http://id.school.example"),
            "oidc.issuer must be an https:// URL",
        ),
        (
            example.replace("id = \"school\"", "id = \"School Account\""),
            "oidc.id must be 1 to 32 lower-case letters",
        ),
        (
            format!("{example}\n{example}"),
            "two [[oidc]] providers have the id",
        ),
        (
            example.replace("groups_claim", "group_claim"),
            "unknown field: found `group_claim`",
        ),
    ] {
        std::fs::write(dir.path().join("bad.toml"), &file).unwrap();
        let out = run(migrate("bad.toml").env(secret, "s3cret"), None);
        assert!(!out.status.success(), "{file}");
        assert!(
            text(&out.stderr).contains(message),
            "{file}: {}",
            text(&out.stderr)
        );
    }
}
