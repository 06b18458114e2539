//! Test support: a private OpenLDAP server (Debian's `slapd`) on a free loopback port, configured
//! from a temporary `slapd.conf` with an mdb database, loaded with a small school: people, two
//! groups that map to roles, and a search account. Stopped (its own pid only) when dropped.
//!
//! Needs the Debian packages `slapd` and `ldap-utils` (slapadd, slappasswd, ldapmodify) and, for
//! TLS, the `openssl` command; `scripts/test` installs them.

use std::{
    fs,
    io::Write,
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    thread::sleep,
    time::{Duration, Instant},
};

pub const BASE_DN: &str = "dc=school,dc=example";
pub const PEOPLE_DN: &str = "ou=people,dc=school,dc=example";
pub const GROUPS_DN: &str = "ou=groups,dc=school,dc=example";
/// The account the portal binds as to search; it may read people and groups, nothing more.
pub const SEARCH_DN: &str = "cn=vmportal,ou=services,dc=school,dc=example";
pub const SEARCH_PASSWORD: &str = "search account secret";
pub const ADMIN_GROUP: &str = "vmportal-admins";
pub const USER_GROUP: &str = "vmportal-users";
/// Everyone's directory password in the school below.
pub const PASSWORD: &str = "directory secret 42";

/// The directory's own administrator (slapd's rootdn), used by tests to change the directory.
const ROOT_DN: &str = "cn=admin,dc=school,dc=example";
const ROOT_PASSWORD: &str = "root secret";

/// The people of [`Slapd::start`]: `ada` administers (and is also a user), `bob` and `eve` use the
/// portal, `cy` is in no group. `(uid, display name, groups)`.
pub const PEOPLE: &[(&str, &str, &[&str])] = &[
    ("ada", "Ada Lovelace", &[ADMIN_GROUP, USER_GROUP]),
    ("bob", "Bob Builder", &[USER_GROUP]),
    ("eve", "Eve Student", &[USER_GROUP]),
    ("cy", "Cy Nogroup", &[]),
];

pub fn person_dn(uid: &str) -> String {
    format!("uid={uid},{PEOPLE_DN}")
}

pub fn group_dn(cn: &str) -> String {
    format!("cn={cn},{GROUPS_DN}")
}

pub struct Slapd {
    port: u16,
    /// Set when started with TLS: the port of its `ldaps://` listener.
    ldaps_port: Option<u16>,
    child: Option<Child>,
    dir: tempfile::TempDir,
}

impl Slapd {
    /// A plain `ldap://` server with the school loaded.
    pub fn start() -> Slapd {
        Self::launch(false)
    }

    /// The same, with a certificate for 127.0.0.1 signed by a CA made for this server, so clients
    /// can use StartTLS, or [`Slapd::ldaps_url`], with [`Slapd::ca_file`].
    pub fn start_with_tls() -> Slapd {
        Self::launch(true)
    }

    pub fn url(&self) -> String {
        format!("ldap://127.0.0.1:{}", self.port)
    }

    pub fn ldaps_url(&self) -> String {
        let port = self.ldaps_port.expect("started with TLS");
        format!("ldaps://127.0.0.1:{port}")
    }

    pub fn ca_file(&self) -> PathBuf {
        assert!(self.ldaps_port.is_some(), "started without TLS");
        self.dir.path().join("ca.crt")
    }

    /// Applies an LDIF change (`changetype: ...`) as the directory's administrator.
    pub fn modify(&self, ldif: &str) {
        let mut child = Command::new("ldapmodify")
            .args(["-x", "-H", &self.url(), "-D", ROOT_DN, "-w", ROOT_PASSWORD])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ldapmodify (Debian package ldap-utils)");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(ldif.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "ldapmodify: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn add_member(&self, group: &str, uid: &str) {
        self.change_member("add", group, uid);
    }

    pub fn remove_member(&self, group: &str, uid: &str) {
        self.change_member("delete", group, uid);
    }

    fn change_member(&self, how: &str, group: &str, uid: &str) {
        self.modify(&format!(
            "dn: {}\nchangetype: modify\n{how}: member\nmember: {}\n",
            group_dn(group),
            person_dn(uid)
        ));
    }

    /// Removes a person's entry (their group memberships stay, as stale DNs often do).
    pub fn delete_person(&self, uid: &str) {
        self.modify(&format!("dn: {}\nchangetype: delete\n", person_dn(uid)));
    }

    /// Kills the server (its pid only) and waits for it; the port stops answering.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn launch(tls: bool) -> Slapd {
        let dir = tempfile::tempdir().unwrap();
        if tls {
            make_certificates(dir.path());
        }
        fs::create_dir(dir.path().join("db")).unwrap();
        fs::write(dir.path().join("slapd.conf"), slapd_conf(dir.path(), tls)).unwrap();
        fs::write(dir.path().join("school.ldif"), school_ldif()).unwrap();
        run(sbin("slapadd").args([
            "-q",
            "-f",
            path(&dir.path().join("slapd.conf")),
            "-l",
            path(&dir.path().join("school.ldif")),
        ]));
        // Free ports are found by binding to port 0; another process could take one before slapd
        // does, so a failed start is tried again on new ports.
        for _ in 0..3 {
            let [port, tls_port] = free_ports();
            let ldaps_port = tls.then_some(tls_port);
            let mut listen = format!("ldap://127.0.0.1:{port}/");
            if let Some(p) = ldaps_port {
                listen.push_str(&format!(" ldaps://127.0.0.1:{p}/"));
            }
            let log = fs::File::create(dir.path().join("slapd.log")).unwrap();
            let mut child = sbin("slapd")
                .args([
                    "-h",
                    &listen,
                    "-f",
                    path(&dir.path().join("slapd.conf")),
                    // Any -d keeps slapd in the foreground, so the child's pid is the server's.
                    "-d",
                    "0",
                ])
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("slapd (Debian package slapd)");
            if listening(&mut child, port) {
                return Slapd {
                    port,
                    ldaps_port,
                    child: Some(child),
                    dir,
                };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!(
            "slapd did not start: {}",
            fs::read_to_string(dir.path().join("slapd.log")).unwrap_or_default()
        );
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits until the port accepts connections; `false` if slapd exits or takes too long.
fn listening(child: &mut Child, port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if child.try_wait().ok().flatten().is_some() {
            return false;
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return true;
        }
        sleep(Duration::from_millis(20));
    }
    false
}

/// slapd and its tools live in /usr/sbin, which the PATH of a user other than root often lacks.
fn sbin(name: &str) -> Command {
    let full = Path::new("/usr/sbin").join(name);
    Command::new(if full.exists() {
        full
    } else {
        PathBuf::from(name)
    })
}

/// Ports free at the time of asking, all different (their listeners are held until all are known).
fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: [TcpListener; N] =
        std::array::from_fn(|_| TcpListener::bind("127.0.0.1:0").unwrap());
    listeners.map(|l| l.local_addr().unwrap().port())
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temporary path")
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A salted SHA-1 hash as OpenLDAP stores it, made by OpenLDAP's own tool.
fn ssha(password: &str) -> String {
    run(sbin("slappasswd").args(["-h", "{SSHA}", "-s", password]))
        .trim()
        .to_owned()
}

fn slapd_conf(dir: &Path, tls: bool) -> String {
    let d = path(dir);
    let tls_lines = if tls {
        format!(
            "TLSCACertificateFile {d}/ca.crt\nTLSCertificateFile {d}/server.crt\n\
             TLSCertificateKeyFile {d}/server.key\n"
        )
    } else {
        String::new()
    };
    format!(
        "include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {d}/slapd.pid
argsfile {d}/slapd.args
{tls_lines}
# Like some directories in the wild, accept a bind with a DN and no password as anonymous, so
# tests show that the portal never takes such a bind for a sign-in.
allow bind_anon_dn

database mdb
suffix \"{BASE_DN}\"
rootdn \"{ROOT_DN}\"
rootpw {root}
directory {d}/db
# Passwords are only ever compared by a bind; only the search account reads the tree.
access to attrs=userPassword
  by anonymous auth
  by * none
access to *
  by dn.exact=\"{SEARCH_DN}\" read
  by self read
  by * none
",
        root = ssha(ROOT_PASSWORD),
    )
}

fn school_ldif() -> String {
    let password = ssha(PASSWORD);
    let mut ldif = format!(
        "dn: {BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\ndc: school\no: School\n\n\
         dn: {PEOPLE_DN}\nobjectClass: organizationalUnit\nou: people\n\n\
         dn: {GROUPS_DN}\nobjectClass: organizationalUnit\nou: groups\n\n\
         dn: ou=services,{BASE_DN}\nobjectClass: organizationalUnit\nou: services\n\n\
         dn: {SEARCH_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n\
         cn: vmportal\nuserPassword: {}\n\n",
        ssha(SEARCH_PASSWORD)
    );
    for (uid, name, _) in PEOPLE {
        let sn = name.rsplit(' ').next().unwrap();
        ldif.push_str(&format!(
            "dn: {}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {name}\nsn: {sn}\n\
             mail: {uid}@school.example\nuserPassword: {password}\n\n",
            person_dn(uid)
        ));
    }
    for group in [ADMIN_GROUP, USER_GROUP] {
        ldif.push_str(&format!(
            "dn: {}\nobjectClass: groupOfNames\ncn: {group}\n",
            group_dn(group)
        ));
        for (uid, _, groups) in PEOPLE {
            if groups.contains(&group) {
                ldif.push_str(&format!("member: {}\n", person_dn(uid)));
            }
        }
        ldif.push('\n');
    }
    ldif
}

/// A CA (`ca.crt`) and a certificate for 127.0.0.1 and localhost signed by it (`server.crt`,
/// `server.key`), P-256 keys, valid two days, in `dir`. The OpenID provider of the web tests uses
/// them too.
pub fn make_certificates(dir: &Path) {
    let d = |f: &str| dir.join(f).to_str().unwrap().to_owned();
    let key = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(Command::new("openssl")
        .args(["req", "-x509"])
        .args(key)
        .args(["-keyout", &d("ca.key"), "-out", &d("ca.crt"), "-days", "2"])
        .args(["-subj", "/CN=vmportal test CA"])
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]));
    run(Command::new("openssl")
        .arg("req")
        .args(key)
        .args(["-keyout", &d("server.key"), "-out", &d("server.csr")])
        .args(["-subj", "/CN=127.0.0.1"]));
    fs::write(
        dir.join("server.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
    )
    .unwrap();
    run(Command::new("openssl")
        .args(["x509", "-req", "-in", &d("server.csr")])
        .args([
            "-CA",
            &d("ca.crt"),
            "-CAkey",
            &d("ca.key"),
            "-CAcreateserial",
        ])
        .args(["-out", &d("server.crt"), "-days", "2"])
        .args(["-extfile", &d("server.ext")]));
}
