use crate::{DatabaseArgs, fail, parse_timestamp};
use clap::Args;
use loyalty_core::Timestamp;
use loyalty_server::rate_limit::RateLimitSettings;
use loyalty_server::webhooks::DeliveryMode;
use loyalty_server::{
    Clock, ConnectionLimits, KeySource, Settings, WebhookSettings, app, check, metrics_app, serve_with, start,
};
use loyalty_store::{DatabaseUrl, SqlStore};
use loyalty_web::{WebSettings, with_screens};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tokio::net::TcpListener;

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The address to listen on; port 0 picks a free port.
    #[arg(long, env = "LOYALTY_LISTEN", default_value = "127.0.0.1:8080", value_name = "ADDR")]
    listen: String,
    /// How log lines are written to standard error: `text` for people (coloured only on a
    /// terminal), or `json`, one object per line with the request id, program, route,
    /// status, latency and actor, for a log collector.
    #[arg(long, env = "LOYALTY_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Also serve `GET /metrics` on this address (port 0 picks a free one), so that it can
    /// be scraped on a port the API's clients cannot reach.
    #[arg(long, env = "LOYALTY_METRICS_LISTEN", value_name = "ADDR")]
    metrics_listen: Option<String>,
    /// Send each request's span to this OpenTelemetry collector over OTLP/HTTP
    /// (`http://host:4318`). Only in a build with the `otel` feature.
    #[cfg(feature = "otel")]
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT", value_name = "URL")]
    otel_endpoint: Option<String>,
    /// A program file to install before serving (repeatable). A file that differs from
    /// the version last installed from a file becomes the program's next version; the same
    /// file again changes nothing, so changes made over the API since are kept. A changed
    /// file that would replace such changes stops the start (see --program-overrides-api).
    #[arg(long = "program", value_name = "FILE")]
    programs: Vec<PathBuf>,
    /// Install a changed --program file even though versions made over the API since the
    /// last file would no longer be in force (they stay in the history).
    #[arg(long)]
    program_overrides_api: bool,
    /// A rate limit, `ROLE=N`: N requests a second per key of the role (`admin`, `pos`,
    /// `read`, `billing`), or per client address for requests without a valid key
    /// (`unauthenticated`), each with a burst of two seconds' worth. Repeat for several;
    /// defaults: admin=2000, pos=2000, read=1000, billing=100, unauthenticated=10.
    #[arg(long = "rate-limit", value_name = "ROLE=N")]
    rate_limits: Vec<String>,
    /// The first program's admin API key. If unset, a key is generated at the first start
    /// and shown that once; the database keeps only its hash (`loyalty keys rotate` makes
    /// a new one).
    #[arg(long, env = "LOYALTY_ADMIN_KEY", hide_env_values = true, value_name = "KEY")]
    admin_key: Option<String>,
    /// The platform key, which makes, changes and archives programs over
    /// /v1/admin/programs; generated at the first start (and shown once) if not given. With
    /// it, the server may start without any program.
    #[arg(long, env = "LOYALTY_PLATFORM_KEY", hide_env_values = true, value_name = "KEY")]
    platform_key: Option<String>,
    /// Start on a test clock standing at this time (RFC 3339), which admins can then set
    /// with PUT /v1/admin/clock. For tests only; never on unless given.
    #[arg(long, env = "LOYALTY_TEST_CLOCK", value_name = "TIMESTAMP", value_parser = parse_timestamp)]
    test_clock: Option<Timestamp>,
    /// Seconds between runs of the jobs (every job of `loyalty jobs run --help`);
    /// 0 runs none.
    #[arg(long, env = "LOYALTY_JOBS_EVERY", default_value_t = 60, value_name = "SECONDS")]
    jobs_every: u64,
    /// Let webhook subscriptions use plain http and target loopback, private and
    /// link-local addresses. For local development and tests only: otherwise a webhook
    /// could reach services only this server can reach.
    #[arg(long, env = "LOYALTY_ALLOW_PRIVATE_WEBHOOKS")]
    allow_private_webhooks: bool,
    /// Mark the console's and the portal's session cookies `Secure`: set this when
    /// browsers reach the server over HTTPS (through a proxy that ends TLS).
    #[arg(long, env = "LOYALTY_SECURE_COOKIES")]
    secure_cookies: bool,
    /// `off`: webhook deliveries are queued with their events and logged, but never sent;
    /// the server opens no connection to a receiver and looks up no receiver's name. For
    /// test and staging servers whose subscriptions must reach no one.
    #[arg(long, env = "LOYALTY_WEBHOOK_DELIVERY", value_enum, default_value_t = WebhookDelivery::On)]
    webhook_delivery: WebhookDelivery,
    /// Connections served at once (fewer if the open-file limit is lower); more are
    /// answered 503 `too_many_connections` and closed.
    #[arg(long, env = "LOYALTY_MAX_CONNECTIONS", default_value_t = 4096, value_name = "N")]
    max_connections: usize,
    /// Seconds a connection may take to send a request's head, from its opening or from
    /// the previous answer on a kept-alive connection: idle connections close after it.
    #[arg(long, env = "LOYALTY_HEADER_READ_TIMEOUT", default_value_t = 10, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..))]
    header_read_timeout: u64,
}

/// File descriptors kept for the database, logs and webhooks, besides connections.
const RESERVED_FILES: u64 = 128;

/// Raises the soft open-file limit to the hard one where the system allows, and fits the
/// connection cap under it, so that a flood of connections is refused, not a crash of
/// `accept` (or of the database) for want of descriptors.
fn connection_limits(args: &ServeArgs) -> ConnectionLimits {
    let files = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(e) => {
            tracing::warn!(error = %e, "cannot raise the open-file limit");
            rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft)
        }
    };
    let fits = usize::try_from(files.saturating_sub(RESERVED_FILES).max(1)).unwrap_or(usize::MAX);
    ConnectionLimits {
        header_read_timeout: std::time::Duration::from_secs(args.header_read_timeout),
        max_connections: args.max_connections.min(fits).max(1),
    }
}

pub async fn run(args: ServeArgs) -> ExitCode {
    #[cfg(feature = "otel")]
    let traces = match init_logging(args.log_format, args.otel_endpoint.as_deref()) {
        Ok(traces) => traces,
        Err(e) => return fail(e),
    };
    #[cfg(not(feature = "otel"))]
    init_logging(args.log_format);
    let limits = connection_limits(&args);
    let shutdown = shutdown_signal();
    let url = match DatabaseUrl::parse(&args.database.database) {
        Ok(url) => url,
        Err(e) => return fail(e),
    };
    let webhooks = WebhookSettings {
        allow_private: args.allow_private_webhooks,
        // The standard variable: HTTPS receivers are trusted by the system's roots and by
        // the CAs of this bundle.
        ca_file: std::env::var_os("SSL_CERT_FILE").filter(|v| !v.is_empty()).map(PathBuf::from),
        timeout: None,
        delivery: match args.webhook_delivery {
            WebhookDelivery::On => DeliveryMode::On,
            WebhookDelivery::Off => DeliveryMode::Off,
        },
    };
    let mut rate_limits = RateLimitSettings::default();
    for limit in &args.rate_limits {
        if let Err(e) = rate_limits.set(limit) {
            return fail(format!("--rate-limit {e}"));
        }
    }
    let settings = Settings {
        program_files: args.programs,
        admin_key: args.admin_key,
        platform_key: args.platform_key,
        program_overrides_api: args.program_overrides_api,
        webhooks,
        rate_limits,
    };
    // Mistakes in the files or the key are found before the database is opened, so that
    // they leave no new database file behind.
    if let Err(e) = check(&settings) {
        return fail(e);
    }
    let new_file = url.sqlite_path().filter(|path| !Path::new(path).exists()).map(PathBuf::from);
    let store = match SqlStore::connect(&url).await {
        Ok(store) => store,
        Err(e) => {
            remove_new_file(new_file.as_deref());
            return fail(format!("cannot open {url}: {e}"));
        }
    };
    let clock = args.test_clock.map_or_else(Clock::system, Clock::manual);
    let started = match start(store.clone(), &settings, clock).await {
        Ok(started) => started,
        Err(e) => {
            // A start that fails leaves things as they were: a file it created goes.
            store.close().await;
            remove_new_file(new_file.as_deref());
            return fail(e);
        }
    };
    let listener = match TcpListener::bind(&args.listen).await {
        Ok(listener) => listener,
        Err(e) => return fail(format!("cannot listen on {}: {e}", args.listen)),
    };
    let address = match listener.local_addr() {
        Ok(address) => address,
        Err(e) => return fail(format!("cannot read the listening address: {e}")),
    };

    let metrics = match &args.metrics_listen {
        Some(at) => match TcpListener::bind(at).await {
            Ok(listener) => Some(listener),
            Err(e) => return fail(format!("cannot listen on {at} for metrics: {e}")),
        },
        None => None,
    };

    println!("loyalty engine listening on http://{address}");
    match url.sqlite_path() {
        Some(path) => println!("  database   SQLite file {}", absolute(path).display()),
        None => println!("  database   {url}"),
    }
    for program in &started.programs {
        println!(
            "  program    {} \"{}\", version {} (from {})",
            program.code,
            program.name,
            program.version,
            program.origin.as_str()
        );
        match (program.key_source, &program.admin_key) {
            (KeySource::Generated, Some(key)) => println!(
                "  admin key  {key} (generated now and shown only this once: the database keeps its hash)"
            ),
            (KeySource::Environment, _) => println!("  admin key  from LOYALTY_ADMIN_KEY"),
            _ => println!(
                "  admin key  made at an earlier start (the database keeps only its hash); \
                 for a new one: loyalty keys rotate --program {} --database {}",
                program.code,
                database_arg(&url)
            ),
        }
    }
    match (started.platform.source, &started.platform.key) {
        (KeySource::Generated, Some(key)) => println!(
            "  platform   key {key} (manages programs at /v1/admin/programs; generated now and shown only this once)"
        ),
        (KeySource::Environment, _) => println!("  platform   key from LOYALTY_PLATFORM_KEY"),
        _ => println!(
            "  platform   key made at an earlier start (the database keeps only its hash); \
             to replace it, start with LOYALTY_PLATFORM_KEY set"
        ),
    }
    println!(
        "  connections at most {} at once; idle ones close after {} s",
        limits.max_connections, args.header_read_timeout
    );
    if let Some(listener) = metrics {
        match listener.local_addr() {
            Ok(at) => println!("  metrics    http://{at}/metrics"),
            Err(e) => return fail(format!("cannot read the metrics address: {e}")),
        }
        let router = metrics_app(started.state.clone());
        tokio::spawn(async move {
            // It stops with the process; the API's listener drains on shutdown.
            let never = std::future::pending::<()>();
            if let Err(e) = serve_with(listener, router, never, ConnectionLimits::default()).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    if args.webhook_delivery == WebhookDelivery::Off {
        println!("  webhooks   delivery off: queued and logged, never sent (--webhook-delivery off)");
    }
    if args.allow_private_webhooks {
        println!("  webhooks   may target private addresses and plain http (--allow-private-webhooks)");
    }
    if let Some(first) = started.programs.first() {
        // A read, so that following the README's walkthrough afterwards collides with nothing.
        let key = match (first.key_source, &first.admin_key) {
            (KeySource::Generated, Some(key)) => key.as_str(),
            (KeySource::Environment, _) => "$LOYALTY_ADMIN_KEY",
            _ => "$KEY",
        };
        println!("  console    http://{address}/console/ (sign in with the admin key)");
        println!(
            "  portal     http://{address}/portal/?token=... (a link from POST /v1/members/{{id}}/tokens)"
        );
        println!("try:");
        println!("  curl -s http://{address}/v1/program -H 'Authorization: Bearer {key}'");
    }

    if let Some(start) = args.test_clock {
        println!("  clock      TEST CLOCK at {start}; set it with PUT /v1/admin/clock");
    }
    if args.jobs_every > 0 {
        let every = std::time::Duration::from_secs(args.jobs_every);
        tokio::spawn(loyalty_server::jobs::schedule(started.state.clone(), every));
    }
    // Webhooks go out within a second of their event.
    tokio::spawn(loyalty_server::webhooks::schedule(
        started.state.clone(),
        std::time::Duration::from_secs(1),
    ));
    let screens = WebSettings { secure_cookies: args.secure_cookies };
    let router = with_screens(started.state.clone(), app(started.state), screens);
    let result = serve_with(listener, router, shutdown, limits).await;
    store.close().await;
    #[cfg(feature = "otel")]
    if let Some(traces) = traces {
        traces.shutdown();
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format!("the server stopped: {e}")),
    }
}

/// The database as `--database` takes it (a PostgreSQL password stays hidden).
fn database_arg(url: &DatabaseUrl) -> String {
    match url.sqlite_path() {
        Some(path) => format!("sqlite://{path}"),
        None => url.to_string(),
    }
}

/// Removes the SQLite file (and its WAL companions) that a failed start created.
fn remove_new_file(path: Option<&Path>) {
    let Some(path) = path else { return };
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        if let Err(e) = std::fs::remove_file(&name)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(file = %Path::new(&name).display(), error = %e, "cannot remove the new database file");
        }
    }
}

fn absolute(path: &str) -> PathBuf {
    std::path::absolute(Path::new(path)).unwrap_or_else(|_| PathBuf::from(path))
}

/// Whether `serve` sends webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WebhookDelivery {
    On,
    Off,
}

/// How `serve` writes its log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

fn log_filter() -> tracing_subscriber::EnvFilter {
    tracing_subscriber::EnvFilter::try_from_env("LOYALTY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"))
}

/// The log lines, as `format` says, on standard error.
fn log_lines<S>(format: LogFormat) -> Box<dyn tracing_subscriber::Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
{
    use std::io::IsTerminal;
    use tracing_subscriber::Layer;
    let logs = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    match format {
        // Colour codes only where a person reads them: a file or a pipe gets plain text.
        LogFormat::Text => logs.with_ansi(std::io::stderr().is_terminal()).boxed(),
        // The request's fields at the top level of each object, where collectors look.
        LogFormat::Json => logs.json().flatten_event(true).with_current_span(false).boxed(),
    }
}

#[cfg(not(feature = "otel"))]
fn init_logging(format: LogFormat) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    tracing_subscriber::registry().with(log_filter()).with(log_lines(format)).init();
}

/// The log lines, and the spans sent to a collector when an endpoint is given.
#[cfg(feature = "otel")]
fn init_logging(
    format: LogFormat,
    otel_endpoint: Option<&str>,
) -> Result<Option<crate::traces::Traces>, String> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let registry = tracing_subscriber::registry().with(log_filter()).with(log_lines(format));
    match otel_endpoint {
        None => {
            registry.init();
            Ok(None)
        }
        Some(endpoint) => {
            let (traces, layer) = crate::traces::Traces::start(endpoint)?;
            registry.with(layer).init();
            Ok(Some(traces))
        }
    }
}

/// Ctrl-C or SIGTERM: stop taking connections and finish the requests in flight.
fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    // The handlers are installed now, not when the future is first polled: a SIGTERM that
    // arrives while the server is still starting must stop it cleanly, not kill it.
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        (signal(SignalKind::interrupt()), signal(SignalKind::terminate()))
    };
    async move {
        #[cfg(unix)]
        match signals {
            (Ok(mut interrupt), Ok(mut terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            }
            (Err(e), _) | (_, Err(e)) => {
                tracing::error!(error = %e, "cannot listen for SIGINT or SIGTERM");
                std::future::pending::<()>().await;
            }
        }
        #[cfg(not(unix))]
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
        tracing::info!("shutting down");
    }
}
