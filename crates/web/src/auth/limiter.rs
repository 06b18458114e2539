//! Slowing down password guessing without letting anyone lock others out. Only failures count, per
//! client address and per (username, address): a few are free, then each further one must wait
//! twice as long as the last, up to a ceiling. Failures from one address never delay a sign-in from
//! another, so ten wrong passwords for `admin` from anywhere do not keep the administrator out.
//!
//! The portal asks a [`SignInLimiter`]; [`MemoryLimiter`] keeps its counts in this process. Several
//! instances behind one address need a shared one (a database table) behind the same trait.

use crate::config::LoginConfig;
use async_trait::async_trait;
use std::{
    collections::HashMap,
    net::{IpAddr, Ipv6Addr},
    sync::Mutex,
    time::{Duration, Instant},
};

/// Who is trying: the client's network (IPv6 by /64, which one subscriber usually holds whole)
/// and the username, lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Attempt {
    pub network: Option<IpAddr>,
    pub username: String,
}

impl Attempt {
    pub fn new(ip: Option<IpAddr>, username: &str) -> Self {
        Attempt {
            network: ip.map(network),
            username: username.trim().to_lowercase(),
        }
    }
}

/// The key an address is counted under: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64.
pub fn network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(prefix))
            }
        },
    }
}

/// How long to wait before the next attempt may be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait(pub Duration);

#[async_trait]
pub trait SignInLimiter: Send + Sync {
    /// Whether the attempt may be checked now.
    async fn admit(&self, attempt: &Attempt) -> Result<(), Wait>;
    /// The password was wrong (or the name unknown).
    async fn failed(&self, attempt: &Attempt);
    /// The password was right: this name's failures from this address are forgotten.
    async fn succeeded(&self, attempt: &Attempt);
    /// Forgets counts that no longer slow anyone down, so memory does not grow with every name tried.
    fn forget_idle(&self);
}

/// Free failures, then a delay doubling from `first` up to `max`.
#[derive(Debug, Clone, Copy)]
struct Backoff {
    free: u32,
    first: Duration,
    max: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Count {
    failures: u32,
    last: Instant,
}

impl Backoff {
    fn delay(&self, failures: u32) -> Option<Duration> {
        let over = failures.checked_sub(self.free)?;
        let doubled = self.first.saturating_mul(1u32 << over.min(20));
        Some(doubled.min(self.max))
    }

    fn wait(&self, count: Option<&Count>, now: Instant) -> Option<Duration> {
        let count = count?;
        let due = count.last + self.delay(count.failures)?;
        (now < due).then(|| due - now)
    }
}

/// Entries kept at most per map; beyond it, those that slow nobody down are dropped first.
const MAX_ENTRIES: usize = 100_000;

pub struct MemoryLimiter {
    per_pair: Backoff,
    per_network: Backoff,
    forget_after: Duration,
    counts: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    pairs: HashMap<Attempt, Count>,
    networks: HashMap<Option<IpAddr>, Count>,
}

impl MemoryLimiter {
    pub fn new(cfg: &LoginConfig) -> Self {
        let first = Duration::from_secs(cfg.first_delay_secs);
        let max = Duration::from_secs(cfg.max_delay_secs);
        MemoryLimiter {
            per_pair: Backoff {
                free: cfg.free_failures,
                first,
                max,
            },
            per_network: Backoff {
                free: cfg.free_failures_per_address,
                first,
                max,
            },
            forget_after: Duration::from_secs(cfg.forget_after_minutes.saturating_mul(60)),
            counts: Mutex::default(),
        }
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        // A panic elsewhere while holding the lock leaves counts that are still usable.
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn admit_at(&self, a: &Attempt, now: Instant) -> Result<(), Wait> {
        let counts = self.counts();
        let waits = [
            self.per_pair.wait(counts.pairs.get(a), now),
            self.per_network.wait(counts.networks.get(&a.network), now),
        ];
        match waits.into_iter().flatten().max() {
            Some(wait) => Err(Wait(wait)),
            None => Ok(()),
        }
    }

    fn failed_at(&self, a: &Attempt, now: Instant) {
        let mut counts = self.counts();
        let forget_after = self.forget_after;
        if counts.pairs.len() >= MAX_ENTRIES {
            let free = self.per_pair.free;
            counts.pairs.retain(|_, c| c.failures >= free);
        }
        if counts.networks.len() >= MAX_ENTRIES {
            let free = self.per_network.free;
            counts.networks.retain(|_, c| c.failures >= free);
        }
        let bump = |c: &mut Count| {
            // A failure long after the last one starts over.
            c.failures = if now.duration_since(c.last) > forget_after {
                1
            } else {
                c.failures.saturating_add(1)
            };
            c.last = now;
        };
        let fresh = Count {
            failures: 0,
            last: now,
        };
        bump(counts.pairs.entry(a.clone()).or_insert(fresh));
        bump(counts.networks.entry(a.network).or_insert(fresh));
    }

    fn forget_at(&self, now: Instant) {
        let after = self.forget_after;
        let mut counts = self.counts();
        counts
            .pairs
            .retain(|_, c| now.duration_since(c.last) <= after);
        counts
            .networks
            .retain(|_, c| now.duration_since(c.last) <= after);
    }
}

#[async_trait]
impl SignInLimiter for MemoryLimiter {
    async fn admit(&self, attempt: &Attempt) -> Result<(), Wait> {
        self.admit_at(attempt, Instant::now())
    }

    async fn failed(&self, attempt: &Attempt) {
        self.failed_at(attempt, Instant::now());
    }

    async fn succeeded(&self, attempt: &Attempt) {
        self.counts().pairs.remove(attempt);
    }

    fn forget_idle(&self) {
        self.forget_at(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter() -> MemoryLimiter {
        MemoryLimiter::new(&LoginConfig {
            free_failures: 3,
            free_failures_per_address: 10,
            first_delay_secs: 1,
            max_delay_secs: 60,
            forget_after_minutes: 60,
            ..LoginConfig::default()
        })
    }

    fn attempt(ip: &str, name: &str) -> Attempt {
        Attempt::new(Some(ip.parse().unwrap()), name)
    }

    #[test]
    fn delays_double_after_the_free_failures_and_stop_at_the_ceiling() {
        let l = limiter();
        let a = attempt("192.0.2.1", "Admin");
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(l.admit_at(&a, t0), Ok(()));
            l.failed_at(&a, t0);
        }
        // The third failure was free; the next attempt waits 1 s, then 2, 4, ... up to 60.
        let mut t = t0;
        for expected in [1, 2, 4, 8, 16, 32, 60, 60] {
            let wait = Duration::from_secs(expected);
            assert_eq!(l.admit_at(&a, t), Err(Wait(wait)), "after {expected}");
            t += wait;
            assert_eq!(l.admit_at(&a, t), Ok(()));
            l.failed_at(&a, t);
        }
    }

    #[test]
    fn other_addresses_and_other_names_are_not_slowed() {
        let l = limiter();
        let t = Instant::now();
        for _ in 0..5 {
            l.failed_at(&attempt("192.0.2.1", "admin"), t);
        }
        assert!(l.admit_at(&attempt("192.0.2.1", "admin"), t).is_err());
        assert_eq!(l.admit_at(&attempt("192.0.2.2", "admin"), t), Ok(()));
        assert_eq!(l.admit_at(&attempt("192.0.2.1", "alice"), t), Ok(()));
    }

    #[test]
    fn many_names_from_one_network_are_slowed_too() {
        let l = limiter();
        let t = Instant::now();
        for i in 0..10 {
            l.failed_at(
                &attempt(&format!("2001:db8:1:2::{i:x}"), &format!("u{i}")),
                t,
            );
        }
        let elsewhere_in_the_64 = attempt("2001:db8:1:2:ffff:1:2:3", "nobody");
        assert_eq!(
            l.admit_at(&elsewhere_in_the_64, t),
            Err(Wait(Duration::from_secs(1)))
        );
        assert_eq!(l.admit_at(&attempt("2001:db8:1:3::1", "nobody"), t), Ok(()));
    }

    #[tokio::test]
    async fn success_forgets_the_pair_and_quiet_forgets_everything() {
        let l = limiter();
        let a = attempt("192.0.2.1", "admin");
        let t = Instant::now();
        for _ in 0..3 {
            l.failed_at(&a, t);
        }
        l.succeeded(&a).await;
        l.failed_at(&a, t);
        assert_eq!(l.admit_at(&a, t), Ok(()), "the count started over");
        l.forget_at(t + Duration::from_secs(3601));
        assert!(l.counts().pairs.is_empty() && l.counts().networks.is_empty());
    }

    #[test]
    fn ipv6_networks_are_keyed_by_their_64() {
        let n = |s: &str| network(s.parse().unwrap());
        assert_eq!(n("2001:db8::1"), n("2001:db8::ffff:ffff:ffff:ffff"));
        assert_ne!(n("2001:db8::1"), n("2001:db8:0:1::1"));
        assert_eq!(n("::ffff:192.0.2.7"), n("192.0.2.7"));
        assert_ne!(n("192.0.2.7"), n("192.0.2.8"));
    }
}
