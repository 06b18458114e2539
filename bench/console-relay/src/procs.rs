//! What a relay costs, read from `/proc` over its whole process tree (the given processes and
//! all their descendants: websockify forks a child per connection).

use std::collections::HashMap;

/// Memory: the sum of PSS (proportional set size, from `/proc/PID/smaps_rollup`) in bytes, so
/// that pages shared by forked children are counted once overall.
pub fn pss(roots: &[u32]) -> u64 {
    tree(roots).into_iter().map(pss_of).sum()
}

/// CPU time spent so far, user and system, in seconds.
pub fn cpu_seconds(roots: &[u32]) -> f64 {
    tree(roots).into_iter().map(cpu_of).sum()
}

/// `roots` and every process below them.
fn tree(roots: &[u32]) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for (pid, ppid) in processes() {
        children.entry(ppid).or_default().push(pid);
    }
    let (mut todo, mut all) = (roots.to_vec(), Vec::new());
    while let Some(pid) = todo.pop() {
        all.push(pid);
        todo.extend(children.get(&pid).into_iter().flatten());
    }
    all
}

/// Every process with its parent.
fn processes() -> Vec<(u32, u32)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let pid: u32 = e.ok()?.file_name().to_str()?.parse().ok()?;
        Some((pid, stat_field(pid, 4)? as u32))
    })
    .collect()
}

/// Field `n` (1-based, as in proc(5)) of `/proc/PID/stat`, from the 3rd on.
fn stat_field(pid: u32, n: usize) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    let after_comm = stat.rsplit_once(')')?.1;
    after_comm.split_whitespace().nth(n - 3)?.parse().ok()
}

/// utime + stime, whose unit (USER_HZ) is 1/100 s on Linux whatever the kernel's own HZ.
fn cpu_of(pid: u32) -> f64 {
    let ticks = stat_field(pid, 14).unwrap_or(0) + stat_field(pid, 15).unwrap_or(0);
    ticks as f64 / 100.0
}

/// One process's PSS in bytes (0 if it is gone).
fn pss_of(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("Pss:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kib| kib * 1024)
}
