//! The `[mail]` settings and the SMTP side: the relay, its TLS, and messages with the headers a
//! notification needs (Date, Message-ID, `Auto-Submitted: auto-generated`).

use super::{MailError, compose::Letter};
use lettre::{
    Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Mailbox, MultiPart,
        header::{Header, HeaderName, HeaderValue},
    },
    transport::smtp::{
        authentication::Credentials,
        client::{Certificate, CertificateStore, Tls, TlsParameters},
    },
};
use serde::Deserialize;
use std::{path::PathBuf, time::Duration};
use vmportal_core::notification::Pending;

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host.
    None,
}

/// `[mail]`: no section, no mail.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    pub host: String,
    #[serde(default = "default_port")]
    pub port: u16,
    #[serde(default)]
    pub security: Security,
    /// With `password`, signs in to the relay (AUTH).
    #[serde(default)]
    pub user: Option<String>,
    /// Best given as `VMPORTAL_MAIL__PASSWORD` rather than in the file.
    #[serde(default)]
    pub password: Option<String>,
    /// The sender, e.g. `vmportal <portal@school.example>`.
    pub from: String,
    /// A CA (PEM) to trust instead of the public ones, for a relay with a private certificate.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Tries before a notification is given up and shown to administrators.
    #[serde(default = "default_attempts")]
    pub max_attempts: i64,
    /// The hour (UTC) after which approvers who chose it get the day's digest.
    #[serde(default = "default_digest_hour")]
    pub digest_hour: u8,
    /// How often the outbox is read when it was empty.
    #[serde(default = "default_poll")]
    pub poll_millis: u64,
}

fn default_port() -> u16 {
    587
}
fn default_attempts() -> i64 {
    12
}
fn default_digest_hour() -> u8 {
    7
}
fn default_poll() -> u64 {
    2000
}

#[derive(Clone)]
struct AutoSubmitted;

/// RFC 3834: automatic mail, so that vacation responders stay quiet.
impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Smtp {
    pub fn new(cfg: &MailConfig) -> Result<Smtp, MailError> {
        let from: Mailbox = cfg
            .from
            .parse()
            .map_err(|e| MailError::Config(format!("from {:?}: {e}", cfg.from)))?;
        let tls = || -> Result<TlsParameters, MailError> {
            let mut params = TlsParameters::builder(cfg.host.clone());
            if let Some(ca) = &cfg.ca_file {
                let pem = std::fs::read(ca)
                    .map_err(|e| MailError::Config(format!("ca_file {}: {e}", ca.display())))?;
                params = params
                    .certificate_store(CertificateStore::None)
                    .add_root_certificate(Certificate::from_pem(&pem)?);
            }
            Ok(params.build_rustls()?)
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cfg.host)
            .port(cfg.port)
            .timeout(Some(Duration::from_secs(20)))
            .tls(match cfg.security {
                Security::Starttls => Tls::Required(tls()?),
                Security::Tls => Tls::Wrapper(tls()?),
                Security::None => Tls::None,
            });
        match (&cfg.user, &cfg.password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
            }
            (None, None) => {}
            _ => {
                return Err(MailError::Config(
                    "user and password go together (password: VMPORTAL_MAIL__PASSWORD)".into(),
                ));
            }
        }
        Ok(Smtp {
            transport: builder.build(),
            from,
        })
    }

    pub async fn send(
        &self,
        _cfg: &MailConfig,
        letter: &Letter,
        message_id: &str,
    ) -> Result<(), MailError> {
        let address: Address = letter
            .to_address
            .parse()
            .map_err(|e| MailError::Config(format!("recipient {:?}: {e}", letter.to_address)))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(Some(letter.to_name.clone()), address))
            .subject(letter.subject.clone())
            .date_now()
            .message_id(Some(message_id.to_owned()))
            .header(AutoSubmitted)
            .multipart(MultiPart::alternative_plain_html(
                letter.text.clone(),
                letter.html.clone(),
            ))?;
        self.transport.send(message).await?;
        Ok(())
    }
}

/// The same for every try of one notification, so a mail sent twice (a crash between the relay's
/// acceptance and the outbox's record) can be recognised as one.
pub fn message_id(n: &Pending, from: &str) -> String {
    let domain = from
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>').trim())
        .filter(|d| !d.is_empty())
        .unwrap_or("vmportal.invalid");
    format!(
        "<notification-{}.{}@{domain}>",
        n.id,
        n.created_at.unix_timestamp()
    )
}
