//! Alarm notifications: every alarm an ingested batch or the stale sweep raises (and that is not
//! shelved) goes into a channel; one task reads it and, per alarm, starts a delivery to the
//! webhook (POST JSON, a timeout per attempt, retries with back-off) and a mail to the users on
//! duty (SMTP). Ingestion only puts alarms in the channel, so a slow or dead webhook never holds a
//! write; when the channel is full an alarm's notice is dropped with a warning (it is still
//! stored and listed).
//!
//! The webhook's body is `{"event": "alarm_raised", "alarm": AlarmView}`. Webhooks are plain
//! `http://` (a relay or the site network); mail goes to an SMTP relay `smtp://host[:port]`
//! without authentication.

use std::time::Duration;

use axum::body::Bytes;
use danjiang_ops::calendar::format_local_time;
use danjiang_ops::telemetry::alarms::{self, Alarm, AlarmKind, AlarmState};
use danjiang_ops::telemetry::{self, BatchFormat, IngestSummary};
use danjiang_ops::Store;
use http_body_util::Full;
use serde::Serialize;
use tokio::sync::mpsc;
use utoipa::ToSchema;

use crate::web::error::{Result, ServerError};

/// Alarms waiting for their notices; more are dropped with a warning.
const QUEUE: usize = 10_000;
/// How long one webhook attempt may take.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one mail attempt may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts per notice (the first and the retries).
const ATTEMPTS: u32 = 4;
/// The wait before the first retry, doubled before each next one.
const FIRST_RETRY: Duration = Duration::from_millis(500);

/// An alarm as the API, the pages and the webhook show it; times in station time
/// `YYYY-MM-DD HH:MM:SS`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AlarmView {
    /// The alarm's number.
    pub id: i64,
    /// The tag's code.
    pub tag: String,
    /// The tag's name.
    pub tag_name: String,
    /// The tag's unit (of `value` and `limit`; per minute for `rate`; `limit` of `stale` is s).
    pub unit: String,
    /// `high_high`, `high`, `low`, `low_low`, `rate` or `stale`.
    #[schema(value_type = String)]
    pub kind: AlarmKind,
    /// 1 (most urgent) to 3.
    pub priority: i64,
    /// `active`, `acknowledged`, `cleared_unacknowledged` or `closed` (ISA-18.2).
    #[schema(value_type = String)]
    pub state: AlarmState,
    /// Whether it is shelved now.
    pub shelved: bool,
    /// When the condition began.
    pub raised_at: String,
    /// The value that raised it.
    pub value: Option<f64>,
    /// The limit it passed.
    pub limit: Option<f64>,
    /// When the condition returned to normal.
    pub cleared_at: Option<String>,
    /// When it was acknowledged.
    pub acknowledged_at: Option<String>,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
    /// The acknowledgement's note.
    pub note: Option<String>,
    /// Shelved until then.
    pub shelved_until: Option<String>,
    /// Who shelved it.
    pub shelved_by: Option<String>,
}

impl AlarmView {
    /// The view of `alarm` at `now` (s station time).
    pub fn of(alarm: &Alarm, now: i64) -> AlarmView {
        AlarmView {
            id: alarm.id,
            tag: alarm.tag.clone(),
            tag_name: alarm.tag_name.clone(),
            unit: alarm.unit.clone(),
            kind: alarm.kind,
            priority: alarm.priority,
            state: alarm.state,
            shelved: alarm.shelved_at(now),
            raised_at: format_local_time(alarm.raised_at),
            value: alarm.value,
            limit: alarm.limit,
            cleared_at: alarm.cleared_at.map(format_local_time),
            acknowledged_at: alarm.acknowledged_at.map(format_local_time),
            acknowledged_by: alarm.acknowledged_by.clone(),
            note: alarm.note.clone(),
            shelved_until: alarm.shelved_until.map(format_local_time),
            shelved_by: alarm.shelved_by.clone(),
        }
    }
}

/// Where notices go (`danjiang serve --alarm-webhook URL --smtp URL --smtp-from ADDR`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotifyConfig {
    /// The webhook, `http://host[:port]/path`.
    pub webhook: Option<String>,
    /// The SMTP relay, `smtp://host[:port]`.
    pub smtp: Option<String>,
    /// The sender of alarm mail.
    pub smtp_from: Option<String>,
}

/// The channel into the notification task; without one, notices are not sent.
#[derive(Debug, Clone, Default)]
pub struct Notifier {
    sender: Option<mpsc::Sender<Alarm>>,
}

/// A checked SMTP relay.
#[derive(Debug, Clone)]
struct Smtp {
    host: String,
    port: u16,
    from: lettre::message::Mailbox,
}

fn check_webhook(url: &str) -> Result<axum::http::Uri> {
    let uri: axum::http::Uri = url
        .parse()
        .map_err(|e| ServerError::BadRequest(format!("--alarm-webhook `{url}`: {e}")))?;
    if uri.scheme_str() != Some("http") || uri.host().is_none() {
        return Err(ServerError::BadRequest(format!(
            "--alarm-webhook `{url}`: expected http://host[:port]/path (for HTTPS, a local relay)"
        )));
    }
    Ok(uri)
}

fn check_smtp(url: &str, from: Option<&str>) -> Result<Smtp> {
    let bad = |why: &str| ServerError::BadRequest(format!("--smtp `{url}`: {why}"));
    let rest = url
        .strip_prefix("smtp://")
        .ok_or_else(|| bad("expected smtp://host[:port]"))?;
    let rest = rest.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (
            host,
            port.parse().map_err(|_| bad("the port is not a number"))?,
        ),
        None => (rest, 25),
    };
    if host.is_empty() || host.contains(['@', '/']) {
        return Err(bad("expected smtp://host[:port] (no user or path)"));
    }
    let from = from.ok_or_else(|| {
        ServerError::BadRequest("--smtp needs --smtp-from ADDR, the sender of alarm mail".into())
    })?;
    let from = from
        .parse()
        .map_err(|e| ServerError::BadRequest(format!("--smtp-from `{from}`: {e}")))?;
    Ok(Smtp {
        host: host.to_string(),
        port,
        from,
    })
}

impl Notifier {
    /// Checks `config` and starts the notification task (inside a Tokio runtime); with neither a
    /// webhook nor SMTP configured, nothing is started and notices are not sent.
    pub fn start(config: &NotifyConfig, store: Store) -> Result<Notifier> {
        let webhook = config.webhook.as_deref().map(check_webhook).transpose()?;
        let smtp = config
            .smtp
            .as_deref()
            .map(|url| check_smtp(url, config.smtp_from.as_deref()))
            .transpose()?;
        if webhook.is_none() && smtp.is_none() {
            return Ok(Notifier::default());
        }
        let (sender, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(deliver_all(receiver, webhook, smtp, store));
        Ok(Notifier {
            sender: Some(sender),
        })
    }

    /// Queues a notice of each alarm not shelved; never waits.
    pub fn notify(&self, raised: &[Alarm]) {
        let Some(sender) = &self.sender else { return };
        for alarm in raised.iter().filter(|a| a.shelved_until.is_none()) {
            if let Err(error) = sender.try_send(alarm.clone()) {
                tracing::warn!("alarm {} not notified: {error}", alarm.id);
            }
        }
    }
}

/// Stores a batch of points (see [`telemetry::ingest`]) and notifies the alarms it raised: the
/// one way the ingestion paths of the server store points.
pub async fn ingest_points(
    store: &Store,
    notifier: &Notifier,
    source: &str,
    format: BatchFormat,
    bytes: &[u8],
) -> Result<IngestSummary> {
    let summary = telemetry::ingest(store, source, format, bytes).await?;
    notifier.notify(&summary.alarms);
    Ok(summary)
}

async fn deliver_all(
    mut receiver: mpsc::Receiver<Alarm>,
    webhook: Option<axum::http::Uri>,
    smtp: Option<Smtp>,
    store: Store,
) {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<Bytes>>();
    while let Some(alarm) = receiver.recv().await {
        let view = AlarmView::of(&alarm, alarms::station_now());
        if let Some(uri) = &webhook {
            tokio::spawn(post_with_retries(client.clone(), uri.clone(), view.clone()));
        }
        if let Some(smtp) = &smtp {
            tokio::spawn(mail_with_retries(smtp.clone(), store.clone(), view));
        }
    }
}

type HttpClient = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Full<Bytes>,
>;

async fn post_with_retries(client: HttpClient, uri: axum::http::Uri, alarm: AlarmView) {
    let body = serde_json::json!({ "event": "alarm_raised", "alarm": alarm }).to_string();
    let mut wait = FIRST_RETRY;
    for attempt in 1..=ATTEMPTS {
        match post_once(&client, &uri, &body).await {
            Ok(()) => return,
            Err(error) => tracing::warn!(
                "alarm {} webhook attempt {attempt} of {ATTEMPTS} failed: {error}",
                alarm.id
            ),
        }
        if attempt < ATTEMPTS {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
}

async fn post_once(
    client: &HttpClient,
    uri: &axum::http::Uri,
    body: &str,
) -> std::result::Result<(), String> {
    let request = axum::http::Request::post(uri.clone())
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .map_err(|e| e.to_string())?;
    let response = tokio::time::timeout(WEBHOOK_TIMEOUT, client.request(request))
        .await
        .map_err(|_| format!("no answer within {} s", WEBHOOK_TIMEOUT.as_secs()))?
        .map_err(|e| e.to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("answered {}", response.status()))
    }
}

/// The mail of an alarm: subject and plain text.
fn mail_text(alarm: &AlarmView) -> (String, String) {
    let value = alarm.value.map(|v| format!("{v}")).unwrap_or_default();
    let limit = alarm.limit.map(|v| format!("{v}")).unwrap_or_default();
    let subject = format!(
        "[Danjiang alarm P{}] {} {} {}",
        alarm.priority,
        alarm.tag,
        alarm.kind_name(),
        value
    );
    let body = format!(
        "Alarm {id}: {tag} ({name}) {kind}\nvalue {value} {unit}, limit {limit}\nraised at {at} \
         (station time)\npriority {priority}\n\nAcknowledge it on the alarm list: /alarms\n",
        id = alarm.id,
        tag = alarm.tag,
        name = alarm.tag_name,
        kind = alarm.kind_name(),
        unit = alarm.unit,
        at = alarm.raised_at,
        priority = alarm.priority,
    );
    (subject, body)
}

impl AlarmView {
    /// The kind's stored name.
    pub fn kind_name(&self) -> &'static str {
        self.kind.as_str()
    }
}

async fn mail_with_retries(smtp: Smtp, store: Store, alarm: AlarmView) {
    let recipients = match alarms::on_duty_recipients(&store).await {
        Ok(recipients) if !recipients.is_empty() => recipients,
        Ok(_) => return,
        Err(error) => {
            tracing::warn!("alarm {}: reading who is on duty failed: {error}", alarm.id);
            return;
        }
    };
    let mut wait = FIRST_RETRY;
    for attempt in 1..=ATTEMPTS {
        match mail_once(&smtp, &recipients, &alarm).await {
            Ok(()) => return,
            Err(error) => tracing::warn!(
                "alarm {} mail attempt {attempt} of {ATTEMPTS} failed: {error}",
                alarm.id
            ),
        }
        if attempt < ATTEMPTS {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
}

async fn mail_once(
    smtp: &Smtp,
    recipients: &[alarms::Recipient],
    alarm: &AlarmView,
) -> std::result::Result<(), String> {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let (subject, text) = mail_text(alarm);
    let mut message = Message::builder().from(smtp.from.clone()).subject(subject);
    for recipient in recipients {
        match recipient.email.parse() {
            Ok(mailbox) => message = message.to(mailbox),
            Err(error) => tracing::warn!("alarm mail to `{}` skipped: {error}", recipient.email),
        }
    }
    let message = message
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .body(text)
        .map_err(|e| e.to_string())?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
        .port(smtp.port)
        .timeout(Some(SMTP_TIMEOUT))
        .build();
    transport.send(message).await.map_err(|e| e.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_is_checked() {
        assert!(check_webhook("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_webhook("https://example.org/hook").is_err());
        assert!(check_webhook("not a url").is_err());
        let smtp = check_smtp("smtp://127.0.0.1:2525", Some("alarms@example.org")).unwrap();
        assert_eq!((smtp.host.as_str(), smtp.port), ("127.0.0.1", 2525));
        assert_eq!(
            check_smtp("smtp://relay", Some("a@b.org")).unwrap().port,
            25
        );
        assert!(check_smtp("smtp://relay:25", None).is_err());
        assert!(check_smtp("smtp://relay:x", Some("a@b.org")).is_err());
        assert!(check_smtp("mail://relay", Some("a@b.org")).is_err());
        assert!(check_smtp("smtp://relay", Some("not an address")).is_err());
    }
}
