//! What webhooks are sent with: an HTTPS-capable client (rustls, the system's roots plus
//! any CA bundle named by `SSL_CERT_FILE`), the rule for targets, the retry policy, and
//! whether anything is sent at all.

use super::RetryPolicy;
use super::targets::{PublicOnly, Targets};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Duration;

/// How the server sends webhooks; `loyalty serve` fills it from its flags and environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookSettings {
    /// `--allow-private-webhooks`: let subscriptions use `http` and private addresses.
    pub allow_private: bool,
    /// A PEM bundle of CAs trusted besides the system's roots (`SSL_CERT_FILE`).
    pub ca_file: Option<PathBuf>,
    /// How long one attempt may take; the policy's default if unset.
    pub timeout: Option<Duration>,
    /// `--webhook-delivery`: whether deliveries are sent, or only queued and logged.
    pub delivery: DeliveryMode,
}

/// Whether the server sends webhooks (`loyalty serve --webhook-delivery on|off`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DeliveryMode {
    /// Deliveries are sent as they fall due.
    #[default]
    On,
    /// Deliveries are queued with their events and logged, and nothing is sent: the server
    /// opens no connection to a receiver and resolves no receiver's name. For test and
    /// staging servers whose subscriptions must not reach anyone; the queue is left as it
    /// is, for a server with delivery on.
    Off,
}

#[derive(Debug, thiserror::Error)]
pub enum SenderError {
    #[error("cannot read the CA bundle {path} (SSL_CERT_FILE): {source}")]
    ReadBundle { path: String, source: std::io::Error },
    #[error("the CA bundle {path} (SSL_CERT_FILE) holds no usable PEM certificate: {reason}")]
    Bundle { path: String, reason: String },
    #[error("cannot set up the webhook HTTPS client: {0}")]
    Client(reqwest::Error),
}

/// The client, the rule for targets and the retry policy, shared by every dispatch.
#[derive(Debug, Clone)]
pub struct Sender {
    pub(crate) client: reqwest::Client,
    pub(crate) targets: Targets,
    pub(crate) policy: RetryPolicy,
    pub(crate) mode: DeliveryMode,
    /// With delivery off: the highest delivery id logged as held back, so each is logged
    /// once.
    pub(crate) held_up_to: Arc<AtomicI64>,
}

impl Sender {
    pub fn new(settings: &WebhookSettings) -> Result<Sender, SenderError> {
        let mut builder = client_builder(settings.allow_private);
        if let Some(path) = &settings.ca_file {
            builder = builder.tls_certs_merge(bundle(path)?);
        }
        let client = builder.build().map_err(SenderError::Client)?;
        let mut policy = RetryPolicy::default();
        if let Some(timeout) = settings.timeout {
            policy.timeout = timeout;
        }
        let targets = Targets {
            allow_private: settings.allow_private,
            // Nothing is sent, so nothing is looked up either; each send checks again.
            resolve_names: settings.delivery == DeliveryMode::On,
        };
        Ok(Sender {
            client,
            targets,
            policy,
            mode: settings.delivery,
            held_up_to: Arc::new(AtomicI64::new(0)),
        })
    }

    /// The sender of a server started without settings: system roots, public https only.
    pub fn standard() -> Sender {
        Sender {
            client: reqwest::Client::new(),
            targets: Targets::default(),
            policy: RetryPolicy::default(),
            mode: DeliveryMode::On,
            held_up_to: Arc::new(AtomicI64::new(0)),
        }
    }
}

fn client_builder(allow_private: bool) -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder();
    if allow_private { builder } else { builder.dns_resolver(Arc::new(PublicOnly)) }
}

fn bundle(path: &Path) -> Result<Vec<reqwest::Certificate>, SenderError> {
    let shown = path.display().to_string();
    let pem =
        std::fs::read(path).map_err(|source| SenderError::ReadBundle { path: shown.clone(), source })?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| SenderError::Bundle { path: shown.clone(), reason: e.to_string() })?;
    if certs.is_empty() {
        return Err(SenderError::Bundle { path: shown, reason: "no certificate in it".to_owned() });
    }
    Ok(certs)
}
