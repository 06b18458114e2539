use crate::{auth::limiter::LoginLimiter, config::WebConfig, console::Consoles};
use std::{ops::Deref, sync::Arc};
use vmportal_core::{
    directory::Directory, hypervisor::Registry, quota::Quota, secret::SecretKey, store::Store,
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
        let limiter = LoginLimiter::new(&config.login);
        AppState(Arc::new(Inner {
            store,
            config,
            limiter,
            providers,
            secrets,
            directory,
            consoles: Consoles::default(),
            mail_relay: None,
        }))
    }

    /// Says where mail is sent, for the administrators' page; only right after [`AppState::new`].
    pub fn with_mail_relay(mut self, relay: String) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.mail_relay = Some(relay);
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
