//! The measurements. The ones about time (throughput, round trips) take the targets in turns,
//! round robin, so that whatever else the shared machine does at a moment hits all of them
//! alike; the ones about memory take one target after the other.

use crate::{
    guest::{Command, Counters},
    procs,
    target::Target,
    ws::Console,
};
use serde_json::{Map, Value, json};
use std::{
    io,
    sync::{Arc, atomic::Ordering},
    time::{Duration, Instant},
};

/// Turns per target in a throughput measurement; each starts with an uncounted warm-up that
/// refills the pipeline the other targets' turns left idle.
const TURNS: u32 = 10;
const TURN_WARM_UP: Duration = Duration::from_millis(100);
/// Between measurements: the last consoles' teardown (websockify's children exiting, buffers
/// draining) is over.
const SETTLE: Duration = Duration::from_secs(1);
/// A full 1024x768 framebuffer update in 32-bit colour, raw encoding.
const FRAMEBUFFER: u64 = 1024 * 768 * 4;
/// What a client sends in the bulk upload: a pasted text, a file.
const BULK_MESSAGE: usize = 64 * 1024;

pub struct Settings {
    /// Counted time per target in each throughput measurement.
    pub run: Duration,
    pub round_trips: usize,
    pub consoles: usize,
    pub slow_total: u64,
    pub slow_run: Duration,
}

/// The measurements, by name, in the order they run.
pub const ALL: [&str; 6] = ["down", "up", "events", "latency", "slow", "many"];

/// Every target's figures, by target name and measurement.
pub async fn run(
    targets: &[Arc<Target>],
    only: &[String],
    s: &Settings,
    counters: &Counters,
) -> io::Result<Value> {
    let mut out: Vec<Map<String, Value>> = vec![Map::new(); targets.len()];
    for name in ALL.iter().filter(|n| only.iter().any(|o| o == *n)) {
        tokio::time::sleep(SETTLE).await;
        eprintln!("measuring {name}");
        let figures = match *name {
            "down" => down(targets, s.run).await?,
            "up" => up(targets, s.run, counters).await?,
            "events" => events(targets, s.run).await?,
            "latency" => latency(targets, s.round_trips).await?,
            "slow" => one_by_one(targets, async |t| slow_reader(t, s, counters).await).await?,
            _ => one_by_one(targets, async |t| many(t.clone(), s.consoles).await).await?,
        };
        for (map, f) in out.iter_mut().zip(figures) {
            map.insert((*name).into(), f);
        }
    }
    let named = targets.iter().zip(out);
    Ok(Value::Object(
        named
            .map(|(t, m)| (t.name().into(), Value::Object(m)))
            .collect(),
    ))
}

async fn one_by_one(
    targets: &[Arc<Target>],
    mut measure: impl AsyncFnMut(&Arc<Target>) -> io::Result<Value>,
) -> io::Result<Vec<Value>> {
    let mut figures = Vec::new();
    for t in targets {
        figures.push(measure(t).await?);
        tokio::time::sleep(SETTLE).await;
    }
    Ok(figures)
}

/// One console per target, each told `command(i)`.
async fn open_each(
    targets: &[Arc<Target>],
    command: impl Fn(usize) -> Command,
) -> io::Result<Vec<Console>> {
    let mut consoles = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let mut c = t.open(0).await?;
        c.send(&command(i).bytes()).await?;
        consoles.push(c);
    }
    Ok(consoles)
}

async fn close_all(consoles: Vec<Console>) {
    for c in consoles {
        c.close().await;
    }
}

/// Payload bytes and messages moved, the time that took, and the relay's CPU time meanwhile.
#[derive(Clone, Default)]
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

/// Runs `work(i, console, for)` in turns: per turn and target, a warm-up and then a counted
/// run of `run / TURNS`. `work` does its traffic for the time given and says what it moved
/// (payload bytes, messages).
async fn in_turns(
    targets: &[Arc<Target>],
    consoles: &mut [Console],
    run: Duration,
    mut work: impl AsyncFnMut(usize, &mut Console, Duration) -> io::Result<(u64, u64)>,
) -> io::Result<Vec<Value>> {
    let mut totals = vec![Throughput::default(); targets.len()];
    for _ in 0..TURNS {
        for (i, (target, c)) in targets.iter().zip(consoles.iter_mut()).enumerate() {
            work(i, c, TURN_WARM_UP).await?;
            let pids = target.pids();
            let (cpu, started) = (procs::cpu_seconds(&pids), Instant::now());
            let (bytes, messages) = work(i, c, run / TURNS).await?;
            let seconds = started.elapsed().as_secs_f64();
            let total = &mut totals[i];
            total.relay_cpu += procs::cpu_seconds(&pids) - cpu;
            (total.bytes, total.messages) = (total.bytes + bytes, total.messages + messages);
            total.seconds += seconds;
        }
    }
    Ok(totals.iter().map(Throughput::json).collect())
}

/// Guest to client: what the client receives from an endless source.
async fn down(targets: &[Arc<Target>], run: Duration) -> io::Result<Vec<Value>> {
    let mut consoles = open_each(targets, |_| Command::Source(0)).await?;
    let figures = in_turns(targets, &mut consoles, run, async |_, c, time| {
        let (until, messages) = (Instant::now() + time, c.messages);
        let mut bytes = 0;
        while Instant::now() < until {
            bytes += c
                .recv(usize::MAX)
                .await?
                .ok_or(io::ErrorKind::UnexpectedEof)?
                .len() as u64;
        }
        Ok((bytes, c.messages - messages))
    })
    .await?;
    close_all(consoles).await;
    Ok(figures)
}

/// Client to guest: what the guest receives (counted per console) while the client sends
/// `BULK_MESSAGE`s as fast as it can.
async fn up(targets: &[Arc<Target>], run: Duration, counters: &Counters) -> io::Result<Vec<Value>> {
    let mut consoles = open_each(targets, Command::Sink).await?;
    let message = [0xa5; BULK_MESSAGE];
    let wires: Vec<Vec<u8>> = consoles
        .iter()
        .map(|c| c.encode(&[&message[..]; 4]))
        .collect();
    let figures = in_turns(targets, &mut consoles, run, async |i, c, time| {
        let received = || counters.received[i].load(Ordering::Relaxed);
        let (until, before) = (Instant::now() + time, received());
        while Instant::now() < until {
            c.write_wire(&wires[i]).await?;
        }
        let bytes = received() - before;
        Ok((bytes, bytes / BULK_MESSAGE as u64))
    })
    .await?;
    close_all(consoles).await;
    Ok(figures)
}

/// Input events: bursts of 100 pointer-event-sized messages (noVNC sends each event in a message
/// of its own), each burst echoed back by the guest before the next, as a moving pointer's
/// events are answered by screen updates. The echo keeps every queue short.
async fn events(targets: &[Arc<Target>], run: Duration) -> io::Result<Vec<Value>> {
    const BURST: usize = 100;
    let mut consoles = open_each(targets, |_| Command::Echo).await?;
    let event = [5u8, 0, 1, 0, 2, 0, 0, 0, 0, 0];
    let wires: Vec<Vec<u8>> = consoles
        .iter()
        .map(|c| c.encode(&[&event[..]; BURST]))
        .collect();
    let figures = in_turns(targets, &mut consoles, run, async |i, c, time| {
        let until = Instant::now() + time;
        let mut bursts = 0;
        while Instant::now() < until {
            c.write_wire(&wires[i]).await?;
            c.recv_exact(BURST * event.len()).await?;
            bursts += 1;
        }
        Ok((bursts * (BURST * event.len()) as u64, bursts * BURST as u64))
    })
    .await?;
    close_all(consoles).await;
    Ok(figures)
}

/// Round trips of a key-event-sized message through an echoing guest, in blocks of 100 per
/// target in turn, each block after 10 uncounted ones (the relay is awake, as while someone
/// types): p50 and p99 in µs over `n` counted per target.
async fn latency(targets: &[Arc<Target>], n: usize) -> io::Result<Vec<Value>> {
    const BLOCK: usize = 100;
    const WARM: usize = 10;
    let mut consoles = open_each(targets, |_| Command::Echo).await?;
    let message = [4u8, 1, 0, 0, 0, 0, 0xff, 0x0d];
    let wires: Vec<Vec<u8>> = consoles.iter().map(|c| c.encode(&[&message])).collect();
    let mut times = vec![Vec::with_capacity(n); targets.len()];
    for _ in 0..n.div_ceil(BLOCK) {
        for (i, c) in consoles.iter_mut().enumerate() {
            for round in 0..WARM + BLOCK {
                let t = Instant::now();
                c.write_wire(&wires[i]).await?;
                c.recv_exact(message.len()).await?;
                if round >= WARM {
                    times[i].push(t.elapsed().as_secs_f64() * 1e6);
                }
            }
        }
    }
    close_all(consoles).await;
    Ok(times
        .into_iter()
        .map(|mut t| {
            t.sort_by(f64::total_cmp);
            let at = |q: usize| t[t.len() * q / 100];
            json!({"p50_us": at(50), "p99_us": at(99)})
        })
        .collect())
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
