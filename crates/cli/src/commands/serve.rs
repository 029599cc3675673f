//! `danjiang serve`: the web application over a store; also creates users from the command line
//! (the first admin of a fresh store).

use std::io::BufRead;
use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use danjiang_server::accounts::users::{create_user_audited, NewUser};
use danjiang_server::accounts::Role;
use danjiang_server::web::notify::NotifyConfig;
use danjiang_server::web::rate::RateLimiter;
use danjiang_server::web::state::{IngestLimits, RunLimits, INGEST_BATCHES_PER_MINUTE};
use danjiang_server::AppState;

use super::import::{runtime, DatabaseArg};

/// Serve the web application (pages and JSON API) over a store.
///
/// With `--create-user NAME` it instead creates a user (role from `--role`, password from the
/// environment variable DANJIANG_PASSWORD or the first line of standard input) and exits: the way
/// to make the first admin of a fresh store.
#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DatabaseArg,
    /// Address and port to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Create this user and exit instead of serving.
    #[arg(long, value_name = "NAME")]
    pub create_user: Option<String>,
    /// The role of the user created: viewer, operator or admin.
    #[arg(
        long,
        value_name = "ROLE",
        default_value = "admin",
        requires = "create_user"
    )]
    pub role: String,
    /// Mark cookies `Secure` (sent over HTTPS only): for a server reached over HTTPS, as behind
    /// a TLS proxy. Also set by the environment variable DANJIANG_SECURE_COOKIES=1.
    #[arg(long)]
    pub secure_cookies: bool,
    /// The server is reached through a proxy that appends the client's address to
    /// X-Forwarded-For: login throttling counts that address (else the header is ignored, and
    /// every client behind a proxy would share the proxy's).
    #[arg(long)]
    pub behind_proxy: bool,
    #[command(flatten)]
    pub runs: RunLimitArgs,
    #[command(flatten)]
    pub alarms: AlarmNoticeArgs,
    #[command(flatten)]
    pub ingest: IngestArgs,
}

/// The limits of telemetry batches posted with an ingestion token; a batch over a size limit is
/// refused with 413, one over the rate with 429 and `Retry-After`.
#[derive(Args, Debug, Clone)]
pub struct IngestArgs {
    /// Most batches one source may post per minute (bursts of a quarter of it).
    #[arg(long, value_name = "N", default_value_t = INGEST_BATCHES_PER_MINUTE)]
    pub ingest_batches_per_minute: u32,
    /// Most points of one batch.
    #[arg(long, value_name = "N", default_value_t = IngestLimits::default().max_points)]
    pub ingest_max_points: usize,
    /// Most megabytes of one batch's body.
    #[arg(long, value_name = "MB", default_value_t = IngestLimits::default().max_bytes / (1024 * 1024))]
    pub ingest_max_mb: usize,
}

impl IngestArgs {
    /// The size limits these options set.
    pub fn limits(&self) -> IngestLimits {
        IngestLimits {
            max_bytes: self.ingest_max_mb.saturating_mul(1024 * 1024),
            max_points: self.ingest_max_points,
        }
    }
}

/// Where the notices of new alarms go (shelved alarms are not notified).
#[derive(Args, Debug, Clone, Default)]
pub struct AlarmNoticeArgs {
    /// POST each new alarm as JSON (`{"event": "alarm_raised", "alarm": {...}}`) to this
    /// `http://` URL, with a 5 s timeout and retries; ingestion never waits for it.
    #[arg(long, value_name = "URL")]
    pub alarm_webhook: Option<String>,
    /// Mail each new alarm through this SMTP relay, `smtp://host[:port]`, to the users on duty
    /// (the alarm_recipients table); needs --smtp-from.
    #[arg(long, value_name = "URL", requires = "smtp_from")]
    pub smtp: Option<String>,
    /// The sender address of alarm mail.
    #[arg(long, value_name = "ADDR", requires = "smtp")]
    pub smtp_from: Option<String>,
}

impl AlarmNoticeArgs {
    /// The notification settings these options make.
    pub fn config(&self) -> NotifyConfig {
        NotifyConfig {
            webhook: self.alarm_webhook.clone(),
            smtp: self.smtp.clone(),
            smtp_from: self.smtp_from.clone(),
        }
    }
}

/// The limits of a simulation run started through the server; a run over one is refused with
/// the figure and the option that raises it.
#[derive(Args, Debug, Clone)]
pub struct RunLimitArgs {
    /// Most reporting periods (and hydraulic steps) of a run.
    #[arg(long, value_name = "N", default_value_t = RunLimits::default().max_periods)]
    pub run_max_periods: u64,
    /// Most gigabytes of a run's result file.
    #[arg(long, value_name = "GB", default_value_t = RunLimits::default().max_output_gb)]
    pub run_max_output_gb: f64,
    /// Most gigabytes of hydraulics a water-quality run may keep in memory.
    #[arg(long, value_name = "GB", default_value_t = RunLimits::default().max_memory_gb)]
    pub run_max_memory_gb: f64,
    /// Longest a run may take, hours.
    #[arg(long, value_name = "HOURS", default_value_t = RunLimits::default().max_hours)]
    pub run_max_hours: f64,
}

impl RunLimitArgs {
    /// The limits these options set.
    pub fn limits(&self) -> RunLimits {
        RunLimits {
            max_periods: self.run_max_periods,
            max_output_gb: self.run_max_output_gb,
            max_memory_gb: self.run_max_memory_gb,
            max_hours: self.run_max_hours,
        }
    }
}

impl ServeArgs {
    /// Whether cookies are to be `Secure`: asked by the option or the environment.
    pub fn wants_secure_cookies(&self) -> bool {
        self.secure_cookies || secure_cookies_from_environment()
    }
}

/// Whether the environment asks for `Secure` cookies (DANJIANG_SECURE_COOKIES=1 or true).
fn secure_cookies_from_environment() -> bool {
    std::env::var("DANJIANG_SECURE_COOKIES")
        .is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
}

/// Serves `state` on `listen`, printing the URL when it is listening.
pub async fn serve_until_stopped(state: AppState, listen: SocketAddr) -> anyhow::Result<()> {
    danjiang_server::serve(state, listen, |bound| {
        println!("Serving Danjiang at http://{bound}/  (Ctrl-C stops)");
    })
    .await
    .context("the web server stopped")
}

fn password_from_input() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("DANJIANG_PASSWORD") {
        if !password.is_empty() {
            return Ok(password);
        }
    }
    eprintln!("password (at least 8 characters), then Enter:");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Runs the command.
pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = args.db.open().await?;
        let mut state = AppState::new(store.clone())?;
        state.secure_cookies = args.wants_secure_cookies();
        state.behind_proxy = args.behind_proxy;
        state.run_limits = args.runs.limits();
        if let Some(username) = &args.create_user {
            let role: Role = args.role.parse()?;
            let password = password_from_input()?;
            let user = create_user_audited(
                &state,
                "system",
                &NewUser {
                    username: username.clone(),
                    display_name: String::new(),
                    password,
                    role,
                },
            )
            .await?;
            println!("created user {} ({})", user.username, user.role.as_str());
            store.close().await;
            return Ok(ExitCode::SUCCESS);
        }
        state.ingest_limits = args.ingest.limits();
        state.ingest_rate =
            std::sync::Arc::new(RateLimiter::new(args.ingest.ingest_batches_per_minute));
        let state = state.with_notifications(&args.alarms.config())?;
        serve_until_stopped(state, args.listen).await?;
        store.close().await;
        Ok::<ExitCode, anyhow::Error>(ExitCode::SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Command {
        #[command(flatten)]
        serve: ServeArgs,
    }

    #[test]
    fn options_set_secure_cookies_and_the_run_limits() {
        let plain = Command::parse_from(["serve"]).serve;
        assert!(!plain.secure_cookies && !plain.behind_proxy);
        assert_eq!(plain.runs.limits(), RunLimits::default());
        assert_eq!(plain.ingest.limits(), IngestLimits::default());
        let set = Command::parse_from([
            "serve",
            "--secure-cookies",
            "--behind-proxy",
            "--run-max-periods",
            "100",
            "--run-max-output-gb",
            "0.5",
            "--run-max-memory-gb",
            "1",
            "--run-max-hours",
            "0.25",
            "--ingest-max-points",
            "500",
            "--ingest-max-mb",
            "2",
        ])
        .serve;
        assert!(set.wants_secure_cookies() && set.behind_proxy);
        assert_eq!(
            set.runs.limits(),
            RunLimits {
                max_periods: 100,
                max_output_gb: 0.5,
                max_memory_gb: 1.0,
                max_hours: 0.25,
            }
        );
        assert_eq!(
            set.ingest.limits(),
            IngestLimits {
                max_bytes: 2 * 1024 * 1024,
                max_points: 500,
            }
        );
    }

    #[test]
    fn options_set_where_alarm_notices_go() {
        let plain = Command::parse_from(["serve"]).serve;
        assert_eq!(plain.alarms.config(), NotifyConfig::default());
        let set = Command::parse_from([
            "serve",
            "--alarm-webhook",
            "http://127.0.0.1:9000/hook",
            "--smtp",
            "smtp://127.0.0.1:2525",
            "--smtp-from",
            "alarms@example.org",
        ])
        .serve;
        assert_eq!(
            set.alarms.config(),
            NotifyConfig {
                webhook: Some("http://127.0.0.1:9000/hook".into()),
                smtp: Some("smtp://127.0.0.1:2525".into()),
                smtp_from: Some("alarms@example.org".into()),
            }
        );
        assert!(Command::try_parse_from(["serve", "--smtp", "smtp://relay"]).is_err());
    }
}
