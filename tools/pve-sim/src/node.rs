//! A node's `pct exec`. The API cannot run anything inside a container, so the portal reaches the
//! node over SSH (a real sshd in tests, see `sshd`); there `pct` is `pve-sim pct`, which hands its
//! arguments and standard input to this simulator over a loopback socket, one JSON line each way.

use crate::state::{Cluster, Exec, Kind};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

/// What `pct` printed and its exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PctOutcome {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The real `pct` dies with status 255 and its message on stderr.
fn died(message: String) -> PctOutcome {
    PctOutcome {
        status: 255,
        stdout: String::new(),
        stderr: message + "\n",
    }
}

/// `pct ARGS` run on `node`. Only `exec VMID -- COMMAND...` is simulated: it checks the container
/// is on this node and running, and records the command and its input instead of running it.
pub fn pct(c: &mut Cluster, node: &str, args: &[String], stdin: &str) -> PctOutcome {
    c.tick();
    let (Some("exec"), Some(vmid), Some("--"), command) = (
        args.first().map(String::as_str),
        args.get(1),
        args.get(2).map(String::as_str),
        args.get(3..).unwrap_or_default(),
    ) else {
        return died(format!(
            "pve-sim: only 'pct exec VMID -- COMMAND' is simulated, not {args:?}"
        ));
    };
    let Ok(vmid) = vmid.parse::<u32>() else {
        return died(format!(
            "400 Parameter verification failed.\nvmid: invalid format - value does not look like a valid VM ID ({vmid})"
        ));
    };
    if command.is_empty() {
        return died("missing command".into());
    }
    let guest = c
        .guests
        .get_mut(&vmid)
        .filter(|g| g.kind == Kind::Lxc && g.node == node);
    let Some(guest) = guest else {
        return died(format!(
            "Configuration file 'nodes/{node}/lxc/{vmid}.conf' does not exist"
        ));
    };
    if !guest.running {
        return died(format!("CT {vmid} not running"));
    }
    guest.execs.push(Exec {
        args: command.to_vec(),
        stdin: stdin.to_string(),
    });
    PctOutcome {
        status: 0,
        stdout: String::new(),
        stderr: String::new(),
    }
}

/// Answers `pve-sim pct` calls on `listener` until the runtime ends.
pub async fn serve(listener: tokio::net::TcpListener, cluster: Arc<Mutex<Cluster>>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let cluster = cluster.clone();
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut line = String::new();
            if tokio::io::BufReader::new(read)
                .read_line(&mut line)
                .await
                .is_err()
            {
                return;
            }
            let call: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
            let args: Vec<String> = call["args"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(str::to_string))
                .collect();
            let outcome = pct(
                &mut cluster.lock().expect("cluster"),
                call["node"].as_str().unwrap_or_default(),
                &args,
                call["stdin"].as_str().unwrap_or_default(),
            );
            let answer = json!({"status": outcome.status, "stdout": outcome.stdout,
                                "stderr": outcome.stderr});
            let _ = write.write_all(format!("{answer}\n").as_bytes()).await;
        });
    }
}

/// `pve-sim pct --control ADDR --node NODE ARGS...`: the `pct` of a simulated node. Returns the
/// exit status.
pub fn client(args: &[String]) -> i32 {
    let (Some("--control"), Some(control), Some("--node"), Some(node)) = (
        args.first().map(String::as_str),
        args.get(1),
        args.get(2).map(String::as_str),
        args.get(3),
    ) else {
        eprintln!("usage: pve-sim pct --control ADDR --node NODE ARGS...");
        return 2;
    };
    let mut stdin = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut stdin) {
        eprintln!("pve-sim pct: reading stdin: {e}");
        return 255;
    }
    let call = json!({"node": node, "args": &args[4..], "stdin": stdin});
    let answer = std::net::TcpStream::connect(control.as_str()).and_then(|mut stream| {
        stream.write_all(format!("{call}\n").as_bytes())?;
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line)?;
        Ok(line)
    });
    let answer: Value = match answer {
        Ok(line) => serde_json::from_str(&line).unwrap_or(Value::Null),
        Err(e) => {
            eprintln!("pve-sim pct: the simulator at {control} does not answer: {e}");
            return 255;
        }
    };
    print!("{}", answer["stdout"].as_str().unwrap_or_default());
    eprint!("{}", answer["stderr"].as_str().unwrap_or_default());
    answer["status"]
        .as_i64()
        .and_then(|s| i32::try_from(s).ok())
        .unwrap_or(255)
}
