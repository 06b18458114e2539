//! A simulated node's SSH side with Debian's real ssh and sshd: the command line is parsed by a
//! real shell, `pct exec` reaches the simulated cluster, and only the pinned host key is accepted.

use pve_sim::Sim;
use pve_sim::sshd::{NodeShells, keygen};
use pve_sim::state::{Exec, Kind};
use std::io::Write;
use std::process::{Command, Stdio};

/// `ssh` as a careful client runs it: no configuration files, the pinned key only.
fn ssh(shells: &NodeShells, node: &str, command: &str, stdin: &str) -> (i32, String) {
    let known_hosts = &shells.known_hosts;
    let mut child = Command::new("ssh")
        .args([
            "-F",
            "/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=yes",
        ])
        .arg("-o")
        .arg(format!("UserKnownHostsFile={}", known_hosts.display()))
        .args(["-o", "GlobalKnownHostsFile=/dev/null"])
        .arg("-o")
        .arg(format!("HostKeyAlias={node}"))
        .arg("-i")
        .arg(&shells.key_file)
        .args(["-p", &shells.node(node).port.to_string()])
        .args(["-l", &shells.user, "127.0.0.1", "--"])
        .arg(command)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn pct_exec_over_real_ssh_reaches_the_simulated_container() {
    // The simulator answers from the runtime's workers while this thread blocks on ssh.
    let sim = Sim::start().await;
    let shells = NodeShells::start(&sim, &["pve1"]);
    {
        let mut c = sim.cluster();
        c.add_guest(150, Kind::Lxc, "pve1", false, &[("hostname", "ct150")]);
        c.guests.get_mut(&150).unwrap().running = true;
        c.add_guest(151, Kind::Lxc, "pve1", false, &[("hostname", "ct151")]);
    }

    // The shell splits and unquotes the words; pct gets them as its arguments.
    let run = |cmd: &str, stdin: &str| ssh(&shells, "pve1", cmd, stdin);
    let (status, err) = run(
        r#"pct exec 150 -- sh -c 'echo "$1"' sh 'it'\''s $HOME'"#,
        "secret\n",
    );
    assert_eq!(status, 0, "{err}\n{}", shells.node("pve1").log());
    assert_eq!(
        sim.cluster().guests[&150].execs,
        [Exec {
            args: vec![
                "sh".into(),
                "-c".into(),
                "echo \"$1\"".into(),
                "sh".into(),
                "it's $HOME".into()
            ],
            stdin: "secret\n".into(),
        }]
    );

    let (status, err) = run("pct exec 999 -- true", "");
    assert_eq!(status, 255);
    assert!(
        err.contains("Configuration file 'nodes/pve1/lxc/999.conf' does not exist"),
        "{err}"
    );
    let (status, err) = run("pct exec 151 -- true", "");
    assert_eq!((status, err.trim()), (255, "CT 151 not running"));

    // Another host key under the node's name: ssh refuses before sending anything.
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other");
    keygen(&other);
    let other_key = std::fs::read_to_string(other.with_extension("pub")).unwrap();
    std::fs::write(&shells.known_hosts, format!("pve1 {other_key}")).unwrap();
    let (status, err) = run("pct exec 150 -- true", "");
    assert_eq!(status, 255);
    assert!(err.contains("Host key verification failed"), "{err}");
    assert_eq!(sim.cluster().guests[&150].execs.len(), 1);
    assert_eq!(sim.violations(), Vec::<String>::new());
}
