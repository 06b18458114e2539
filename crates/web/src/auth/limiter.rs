//! Brute-force limiting of sign-in: attempts are counted per client address and per username, so
//! neither one address trying many names nor many addresses trying one name gets far.

use crate::config::LoginConfig;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::{net::IpAddr, num::NonZeroU32};

pub struct LoginLimiter {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_user: DefaultKeyedRateLimiter<String>,
}

impl LoginLimiter {
    pub fn new(cfg: &LoginConfig) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least 1"));
        LoginLimiter {
            per_ip: RateLimiter::keyed(quota(cfg.per_ip_per_minute)),
            per_user: RateLimiter::keyed(quota(cfg.per_user_per_minute)),
        }
    }

    /// Counts one attempt; `false` when either limit is exhausted.
    pub fn allow(&self, ip: Option<IpAddr>, username: &str) -> bool {
        let ip_ok = ip.is_none_or(|ip| self.per_ip.check_key(&ip).is_ok());
        let user_ok = self
            .per_user
            .check_key(&username.trim().to_lowercase())
            .is_ok();
        ip_ok && user_ok
    }

    /// Forgets keys whose limits are full again, so that memory does not grow with every name tried.
    pub fn forget_idle(&self) {
        self.per_ip.retain_recent();
        self.per_user.retain_recent();
    }
}
