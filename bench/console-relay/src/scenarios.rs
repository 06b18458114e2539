//! The measurements, each on a fresh console of one target.

use crate::{
    guest::{Command, Counters},
    procs,
    target::Target,
    ws::Console,
};
use serde_json::{Value, json};
use std::{
    io,
    sync::{Arc, atomic::Ordering},
    time::{Duration, Instant},
};

/// Before each timed run: connections warm, buffers grown, CPU frequency settled.
const WARM_UP: Duration = Duration::from_millis(500);
/// A full 1024x768 framebuffer update in 32-bit colour, raw encoding.
const FRAMEBUFFER: u64 = 1024 * 768 * 4;

pub struct Settings {
    pub run: Duration,
    pub round_trips: usize,
    pub consoles: usize,
    pub slow_total: u64,
    pub slow_run: Duration,
}

/// The measurements, by name, in the order they run.
pub const ALL: [&str; 6] = ["down", "up", "events", "latency", "slow", "many"];

pub async fn run(
    target: Arc<Target>,
    only: &[String],
    s: &Settings,
    counters: &Counters,
) -> io::Result<Value> {
    let mut out = serde_json::Map::new();
    for name in ALL.iter().filter(|n| only.iter().any(|o| o == *n)) {
        let figures = match *name {
            "down" => down(&target, s.run).await?.json(),
            "up" => up(&target, s.run, counters).await?.json(),
            "events" => events(&target, s.run).await?.json(),
            "latency" => latency(&target, s.round_trips).await?,
            "slow" => slow_reader(&target, s, counters).await?,
            _ => many(target.clone(), s.consoles).await?,
        };
        out.insert((*name).into(), figures);
    }
    Ok(Value::Object(out))
}

/// A throughput run: payload bytes and messages per second, and the relay's CPU time per GB.
struct Throughput {
    bytes: u64,
    messages: u64,
    seconds: f64,
    relay_cpu: f64,
}

impl Throughput {
    fn json(&self) -> Value {
        json!({
            "mb_per_s": self.bytes as f64 / self.seconds / 1e6,
            "messages_per_s": self.messages as f64 / self.seconds,
            "relay_cpu_s_per_gb": self.relay_cpu / (self.bytes as f64 / 1e9),
        })
    }
}

/// Guest to client: what the client receives from an endless source.
async fn down(target: &Target, run: Duration) -> io::Result<Throughput> {
    let pids = target.pids();
    let mut c = target.open(0).await?;
    c.send(&Command::Source(0).bytes()).await?;
    let warm_until = Instant::now() + WARM_UP;
    while Instant::now() < warm_until {
        c.recv(usize::MAX)
            .await?
            .ok_or(io::ErrorKind::UnexpectedEof)?;
    }
    let (started, messages, cpu) = (Instant::now(), c.messages, procs::cpu_seconds(&pids));
    let mut bytes = 0;
    while started.elapsed() < run {
        bytes += c
            .recv(usize::MAX)
            .await?
            .ok_or(io::ErrorKind::UnexpectedEof)?
            .len() as u64;
    }
    let t = Throughput {
        bytes,
        messages: c.messages - messages,
        seconds: started.elapsed().as_secs_f64(),
        relay_cpu: procs::cpu_seconds(&pids) - cpu,
    };
    c.close().await;
    Ok(t)
}

/// Client to guest: what the guest receives while the client sends 64 KiB messages (a pasted
/// text, a file) as fast as it can.
async fn up(target: &Target, run: Duration, counters: &Counters) -> io::Result<Throughput> {
    let pids = target.pids();
    let mut c = target.open(0).await?;
    c.send(&Command::Sink.bytes()).await?;
    let message = [0xa5; 64 * 1024];
    let wire = c.encode(&[&message[..]; 4]);
    let received = || counters.received.load(Ordering::Relaxed);
    let warm_until = Instant::now() + WARM_UP;
    while Instant::now() < warm_until {
        c.write_wire(&wire).await?;
    }
    let (started, before, cpu) = (Instant::now(), received(), procs::cpu_seconds(&pids));
    while started.elapsed() < run {
        c.write_wire(&wire).await?;
    }
    let bytes = received() - before;
    let t = Throughput {
        bytes,
        messages: bytes / message.len() as u64,
        seconds: started.elapsed().as_secs_f64(),
        relay_cpu: procs::cpu_seconds(&pids) - cpu,
    };
    c.close().await;
    Ok(t)
}

/// Input events: bursts of 100 pointer-event-sized messages (noVNC sends each event in a message
/// of its own), each burst echoed back by the guest before the next, as a moving pointer's
/// events are answered by screen updates. The echo keeps every queue short.
async fn events(target: &Target, run: Duration) -> io::Result<Throughput> {
    let pids = target.pids();
    let mut c = target.open(0).await?;
    c.send(&Command::Echo.bytes()).await?;
    let event = [5u8, 0, 1, 0, 2, 0, 0, 0, 0, 0];
    let burst = c.encode(&[&event[..]; 100]);
    let burst_bytes = 100 * event.len();
    let warm_until = Instant::now() + WARM_UP;
    while Instant::now() < warm_until {
        c.write_wire(&burst).await?;
        c.recv_exact(burst_bytes).await?;
    }
    let (started, cpu) = (Instant::now(), procs::cpu_seconds(&pids));
    let mut bursts = 0u64;
    while started.elapsed() < run {
        c.write_wire(&burst).await?;
        c.recv_exact(burst_bytes).await?;
        bursts += 1;
    }
    let t = Throughput {
        bytes: bursts * burst_bytes as u64,
        messages: bursts * 100,
        seconds: started.elapsed().as_secs_f64(),
        relay_cpu: procs::cpu_seconds(&pids) - cpu,
    };
    c.close().await;
    Ok(t)
}

/// Round trips of a key-event-sized message through an echoing guest: p50 and p99 in µs.
async fn latency(target: &Target, n: usize) -> io::Result<Value> {
    let mut c = target.open(0).await?;
    c.send(&Command::Echo.bytes()).await?;
    let message = [4u8, 1, 0, 0, 0, 0, 0xff, 0x0d];
    let wire = c.encode(&[&message]);
    let mut times = Vec::with_capacity(n);
    for i in 0..n + n / 10 {
        let t = Instant::now();
        c.write_wire(&wire).await?;
        c.recv_exact(message.len()).await?;
        if i >= n / 10 {
            times.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    c.close().await;
    times.sort_by(f64::total_cmp);
    Ok(json!({"p50_us": times[n / 2], "p99_us": times[n * 99 / 100]}))
}

/// A client that reads slowly (16 KiB every 10 ms) while the guest pushes `slow_total` bytes as
/// fast as the relay takes them: the relay's memory (peak of samples every 100 ms) and how
/// much the guest got rid of.
async fn slow_reader(target: &Target, s: &Settings, counters: &Counters) -> io::Result<Value> {
    let pids = target.pids();
    let before = procs::pss(&pids);
    let written = || counters.written.load(Ordering::Relaxed);
    let pushed_before = written();
    let mut c = target.open(0).await?;
    c.send(&Command::Source(s.slow_total).bytes()).await?;
    let started = Instant::now();
    let (mut peak, mut sampled) = (before, started);
    while started.elapsed() < s.slow_run {
        c.recv(16 * 1024)
            .await?
            .ok_or(io::ErrorKind::UnexpectedEof)?;
        tokio::time::sleep(Duration::from_millis(10)).await;
        if sampled.elapsed() >= Duration::from_millis(100) {
            peak = peak.max(procs::pss(&pids));
            sampled = Instant::now();
        }
    }
    let pushed = written() - pushed_before;
    c.close().await;
    Ok(json!({
        "pss_before_mib": mib(before),
        "pss_peak_mib": mib(peak),
        "guest_pushed_mib": mib(pushed),
    }))
}

/// `n` consoles opened at once (as many browsers would), each then sent a full framebuffer:
/// the times, and the relay's memory with all of them open.
async fn many(target: Arc<Target>, n: usize) -> io::Result<Value> {
    let pids = target.pids();
    let before = procs::pss(&pids);
    let started = Instant::now();
    let mut opening = tokio::task::JoinSet::new();
    for i in 0..n {
        let target = target.clone();
        opening.spawn(async move { target.open(i).await });
    }
    let mut consoles: Vec<Console> = Vec::with_capacity(n);
    while let Some(c) = opening.join_next().await {
        consoles.push(c.map_err(io::Error::other)??);
    }
    let opened = started.elapsed();
    let started = Instant::now();
    let mut updating = tokio::task::JoinSet::new();
    for mut c in consoles {
        updating.spawn(async move {
            c.send(&Command::Source(FRAMEBUFFER).bytes()).await?;
            c.recv_exact(FRAMEBUFFER as usize).await?;
            Ok::<_, io::Error>(c)
        });
    }
    let mut consoles = Vec::with_capacity(n);
    while let Some(c) = updating.join_next().await {
        consoles.push(c.map_err(io::Error::other)??);
    }
    let updated = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let open = procs::pss(&pids);
    let mut closing = tokio::task::JoinSet::new();
    for c in consoles {
        closing.spawn(c.close());
    }
    closing.join_all().await;
    Ok(json!({
        "open_s": opened.as_secs_f64(),
        "update_s": updated.as_secs_f64(),
        "pss_before_mib": mib(before),
        "pss_open_mib": mib(open),
    }))
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
