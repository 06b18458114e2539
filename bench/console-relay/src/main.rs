//! `console-load`: the guest server and the client of the console benchmark, in one process;
//! measures each target given and prints the figures as JSON (bench/console.py makes the table).

mod guest;
mod procs;
mod scenarios;
mod target;
mod ws;

use clap::Parser;
use std::{sync::Arc, time::Duration};
use target::{Portal, Target};

#[derive(Parser)]
struct Args {
    /// Where the guest server listens (the relays under test were told this port).
    #[arg(long)]
    guest_port: u16,
    /// Measure raw TCP to the guest.
    #[arg(long)]
    raw: bool,
    /// A `tcp-forward` process: its port and pid.
    #[arg(long, requires = "forward_pid")]
    forward_port: Option<u16>,
    #[arg(long)]
    forward_pid: Option<u32>,
    /// websockify processes, one per machine, listening on consecutive ports from this one.
    #[arg(long)]
    websockify_port: Option<u16>,
    #[arg(long, value_delimiter = ',')]
    websockify_pids: Vec<u32>,
    /// The line `console-portal` printed, and its pid.
    #[arg(long, requires = "portal_pid")]
    portal: Option<String>,
    #[arg(long)]
    portal_pid: Option<u32>,
    /// Counted seconds per target in each throughput measurement.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    #[arg(long, default_value_t = 10_000)]
    round_trips: usize,
    #[arg(long, default_value_t = 50)]
    consoles: usize,
    /// What the guest pushes to the slow reader, and how long the client reads.
    #[arg(long, default_value_t = 200)]
    slow_mib: u64,
    #[arg(long, default_value_t = 10.0)]
    slow_seconds: f64,
    /// Only these measurements (down, up, events, latency, slow, many).
    #[arg(long, value_delimiter = ',', default_values_t = scenarios::ALL.map(String::from))]
    only: Vec<String>,
}

#[tokio::main]
async fn main() -> Result<(), String> {
    // reqwest is built without a crypto provider of its own.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.guest_port))
        .await
        .map_err(|e| format!("guest port {}: {e}", args.guest_port))?;
    let counters = Arc::new(guest::Counters::default());
    tokio::spawn(guest::serve(listener, counters.clone()));

    let mut targets = Vec::new();
    if args.raw {
        targets.push(Target::Raw {
            guest_port: args.guest_port,
        });
    }
    if let (Some(port), Some(pid)) = (args.forward_port, args.forward_pid) {
        targets.push(Target::Forward { port, pid });
    }
    if let Some(first) = args.websockify_port {
        let ports = (0..args.websockify_pids.len() as u16)
            .map(|i| first + i)
            .collect();
        targets.push(Target::Websockify {
            ports,
            pids: args.websockify_pids.clone(),
        });
    }
    if let (Some(line), Some(pid)) = (&args.portal, args.portal_pid) {
        let ready = serde_json::from_str(line).map_err(|e| format!("--portal: {e}"))?;
        targets.push(Target::Portal(Portal::sign_in(&ready, pid).await?));
    }
    let settings = scenarios::Settings {
        run: Duration::from_secs_f64(args.seconds),
        round_trips: args.round_trips,
        consoles: args.consoles,
        slow_total: args.slow_mib << 20,
        slow_run: Duration::from_secs_f64(args.slow_seconds),
    };
    let targets: Vec<_> = targets.into_iter().map(Arc::new).collect();
    let results = scenarios::run(&targets, &args.only, &settings, &counters)
        .await
        .map_err(|e| e.to_string())?;
    println!("{results}");
    Ok(())
}
