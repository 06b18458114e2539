use crate::{auth::limiter::LoginLimiter, config::WebConfig, console::Consoles};
use std::{ops::Deref, sync::Arc};
use vmportal_core::{
    clock::{Clock, SystemClock},
    directory::Directory,
    hypervisor::Registry,
    quota::Quota,
    secret::SecretKey,
    store::Store,
    user::User,
};

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Arc<dyn Store>,
    pub config: WebConfig,
    pub limiter: LoginLimiter,
    /// The configured hypervisors, by provider name.
    pub providers: Registry,
    /// Opens the sealed guest passwords for the credentials page.
    pub secrets: SecretKey,
    /// Where people without a local account sign in, when a directory is configured.
    pub directory: Option<Arc<dyn Directory>>,
    /// The open browser consoles.
    pub consoles: Consoles,
    /// What time it is where leases are concerned (a test clock in tests).
    pub clock: Arc<dyn Clock>,
}

impl AppState {
    pub fn new(
        store: Arc<dyn Store>,
        config: WebConfig,
        providers: Registry,
        secrets: SecretKey,
        directory: Option<Arc<dyn Directory>>,
    ) -> Self {
        let limiter = LoginLimiter::new(&config.login);
        AppState(Arc::new(Inner {
            store,
            config,
            limiter,
            providers,
            secrets,
            directory,
            consoles: Consoles::default(),
            clock: Arc::new(SystemClock),
        }))
    }

    /// The same state with another clock; only before the state is shared.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        match Arc::get_mut(&mut self.0) {
            Some(inner) => inner.clock = clock,
            None => panic!("the clock is set before the state is shared"),
        }
        self
    }

    /// The user's quota: their role's default with their own overrides.
    pub fn quota_of(&self, user: &User) -> Quota {
        user.quota_override
            .apply(self.config.quotas.for_role(user.role))
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
