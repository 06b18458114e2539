//! Two `vmportal serve` processes on one PostgreSQL database (a private cluster) and one Proxmox
//! simulator: approvals made on either are built by whichever instance claims them, once each;
//! one instance is killed with SIGKILL while it builds, and the other finishes its jobs when
//! their leases run out.

mod common;
mod pve_portal;

use pve_portal::{Portal, Setting};
use std::time::{Duration, Instant};
use vmportal_test_postgres::Cluster;

/// As many as the simulated node's 16 GiB holds at 2 GiB each.
const MACHINES: usize = 7;

fn psql(url: &str, sql: &str) -> String {
    let out = std::process::Command::new("psql")
        .args([url, "-Atc", sql])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_the_jobs_and_one_finishes_what_a_killed_one_was_building() {
    let url = tokio::task::spawn_blocking(|| Cluster::shared().database())
        .await
        .unwrap();
    // Short job leases, so that the survivor takes a dead instance's jobs over quickly.
    let extra = "lease_secs = 3\n[web.quotas.user]\nmachines = 50\ncpus = 100\nmemory_mib = 100000\ndisk_gib = 1000\n";
    let setting = Setting {
        kind: "container",
        source: "9000",
        provider: "",
    };
    let mut a = Portal::start_on(setting, Some(&url), extra).await;
    psql(&url, "SELECT 1");
    let (_b, b_addr) = a.another_instance().await;
    let a_addr = a.addr.clone();

    // Approvals alternate between the instances' APIs.
    let mut machines = Vec::new();
    for i in 0..MACHINES {
        a.addr = if i % 2 == 0 {
            a_addr.clone()
        } else {
            b_addr.clone()
        };
        machines.push(a.approved(&format!("m{i}")).await.0);
    }
    // Kill the first instance while it holds at least one job.
    let deadline = Instant::now() + Duration::from_secs(60);
    let building = loop {
        let held = psql(
            &url,
            "SELECT split_part(lease_owner, '-', 1) FROM jobs WHERE state = 'running' \
             GROUP BY 1 ORDER BY 1",
        );
        let owners: Vec<String> = held.lines().map(str::to_owned).collect();
        if owners.len() == 2 {
            break owners;
        }
        assert!(
            Instant::now() < deadline,
            "never saw both instances building"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let a_child_pid = a.pid().to_string();
    assert!(
        building.contains(&a_child_pid),
        "{building:?} {a_child_pid}"
    );
    a.kill();
    let orphaned = psql(
        &url,
        &format!(
            "SELECT COUNT(*) FROM jobs WHERE state = 'running' AND lease_owner LIKE '{a_child_pid}-%'"
        ),
    );
    assert_ne!(orphaned, "0", "the killed instance held no job");

    a.addr = b_addr.clone();
    for id in &machines {
        let m = a.wait_for(*id, "running").await;
        assert_eq!(m["state"], "running");
    }
    // Each machine built once: one provision job each, succeeded; one guest each.
    let provisions = psql(
        &url,
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE state = 'succeeded'), MAX(attempts) \
         FROM jobs WHERE kind = 'provision'",
    );
    let cols: Vec<&str> = provisions.split('|').collect();
    assert_eq!(cols[0], MACHINES.to_string());
    assert_eq!(cols[1], MACHINES.to_string());
    assert!(
        cols[2].parse::<i64>().unwrap() >= 2,
        "a job was taken over: {provisions}"
    );
    let guests = a
        .sim
        .cluster()
        .guests
        .values()
        .filter(|g| !g.template)
        .count();
    assert_eq!(guests, MACHINES, "one guest per machine");
    // Every job finished event recorded once.
    let finished = psql(
        &url,
        "SELECT COUNT(*) FROM audit_events WHERE action = 'job.finished'",
    );
    assert_eq!(finished, MACHINES.to_string());
}
