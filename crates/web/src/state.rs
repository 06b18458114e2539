use crate::{
    auth::{
        directory_check::DirectoryChecks,
        hashing::HashGate,
        limiter::{MemoryLimiter, SignInLimiter},
        pending::PendingSignIns,
        sso::SsoLogins,
    },
    config::WebConfig,
    console::Consoles,
};
use std::{ops::Deref, sync::Arc};
use vmportal_core::{
    clock::{Clock, SystemClock},
    directory::Directory,
    hypervisor::Registry,
    quota::Quota,
    secret::SecretKey,
    sso::IdentityProvider,
    store::Store,
    user::User,
};

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Arc<dyn Store>,
    pub config: WebConfig,
    /// Slows down password guessing; in memory, per instance.
    pub limiter: Box<dyn SignInLimiter>,
    /// Bounds the argon2 work anyone can cause.
    pub hashing: HashGate,
    /// The configured hypervisors, by provider name.
    pub providers: Registry,
    /// Opens the sealed guest passwords for the credentials page.
    pub secrets: SecretKey,
    /// Where people without a local account sign in, when a directory is configured.
    pub directory: Option<Arc<dyn Directory>>,
    /// When each directory member was last re-checked there.
    pub directory_checks: DirectoryChecks,
    /// The OpenID providers people may sign in with, in the order of the sign-in page's buttons.
    pub sso: Vec<Arc<dyn IdentityProvider>>,
    /// Single sign-ons gone to their provider, until the browser comes back.
    pub sso_logins: SsoLogins,
    /// Sign-ins whose password was right, waiting for the second factor.
    pub pending_sign_ins: PendingSignIns,
    /// The open browser consoles.
    pub consoles: Consoles,
    /// What time it is where leases are concerned (a test clock in tests).
    pub clock: Arc<dyn Clock>,
    /// Where mail goes (`host:port` of the relay), or `None`: no `[mail]`, no mail.
    pub mail_relay: Option<String>,
}

impl AppState {
    pub fn new(
        store: Arc<dyn Store>,
        config: WebConfig,
        providers: Registry,
        secrets: SecretKey,
        directory: Option<Arc<dyn Directory>>,
    ) -> Self {
        let limiter = Box::new(MemoryLimiter::new(&config.login));
        let hashing = HashGate::new(config.login.concurrent_hashes, config.login.queued_hashes);
        AppState(Arc::new(Inner {
            store,
            config,
            limiter,
            hashing,
            providers,
            secrets,
            directory,
            directory_checks: DirectoryChecks::default(),
            sso: Vec::new(),
            sso_logins: SsoLogins::default(),
            pending_sign_ins: PendingSignIns::default(),
            consoles: Consoles::default(),
            clock: Arc::new(SystemClock),
            mail_relay: None,
        }))
    }

    /// The same state with these OpenID providers; only before the state is shared.
    pub fn with_sso(mut self, providers: Vec<Arc<dyn IdentityProvider>>) -> Self {
        match Arc::get_mut(&mut self.0) {
            Some(inner) => inner.sso = providers,
            None => panic!("the providers are set before the state is shared"),
        }
        self
    }

    /// The same state with another clock; only before the state is shared.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        match Arc::get_mut(&mut self.0) {
            Some(inner) => inner.clock = clock,
            None => panic!("the clock is set before the state is shared"),
        }
        self
    }

    /// Says where mail is sent, for the administrators' page; only right after [`AppState::new`].
    pub fn with_mail_relay(mut self, relay: String) -> Self {
        match Arc::get_mut(&mut self.0) {
            Some(inner) => inner.mail_relay = Some(relay),
            None => panic!("the mail relay is set before the state is shared"),
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
