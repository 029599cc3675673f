//! Alarms as JSON: the list with its filters, one alarm, acknowledging, shelving and
//! unshelving (operator; audited), and a tag's limits; the alarms' part of the OpenAPI document.

use axum::extract::State;
use danjiang_ops::telemetry::alarms::{self, AlarmLimits};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use super::work::{alarm_page, AlarmParams};
use crate::web::api::{ApiJson, ApiPath, ApiQuery};
use crate::web::auth::{Admin, Authorized, Operator, Viewer};
use crate::web::error::ApiError;
use crate::web::notify::AlarmView;
use crate::web::paging::{ListPage, Paging};
use crate::web::state::AppState;

/// `GET /api/v1/alarms`: the alarms, newest raised first, each with its `state` (by default
/// those not closed), filtered by state, tag, priority and time raised, a page at a time.
#[utoipa::path(get, path = "/api/v1/alarms", tag = "alarms", params(AlarmParams),
    responses((status = 200, body = Object), (status = 400, body = crate::web::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<AlarmParams>,
) -> Result<ApiJson<ListPage<AlarmView>>, ApiError> {
    let paging = Paging::of(params.limit, params.offset)?;
    Ok(ApiJson(alarm_page(&state, &params, paging).await?))
}

/// `GET /api/v1/alarms/{id}`: one alarm.
#[utoipa::path(get, path = "/api/v1/alarms/{id}", tag = "alarms",
    params(("id" = i64, Path, description = "The alarm's number")),
    responses((status = 200, body = AlarmView), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn one(
    State(state): State<AppState>,
    _user: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<AlarmView>, ApiError> {
    let alarm = alarms::alarm(&state.store, id).await?;
    Ok(ApiJson(AlarmView::of(&alarm, alarms::station_now())))
}

/// An acknowledgement.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Acknowledgement {
    /// What was seen or done (required).
    pub note: String,
}

/// `POST /api/v1/alarms/{id}/acknowledge`: acknowledges an alarm with a note (operator;
/// audited): active → acknowledged, cleared-unacknowledged → closed.
#[utoipa::path(post, path = "/api/v1/alarms/{id}/acknowledge", tag = "alarms",
    params(("id" = i64, Path, description = "The alarm's number")), request_body = Acknowledgement,
    responses((status = 200, body = AlarmView), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn acknowledge(
    State(state): State<AppState>,
    Authorized(session): Operator,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Acknowledgement>,
) -> Result<ApiJson<AlarmView>, ApiError> {
    let now = alarms::station_now();
    let alarm =
        alarms::acknowledge(&state.store, id, &session.user.username, &body.note, now).await?;
    Ok(ApiJson(AlarmView::of(&alarm, now)))
}

/// A shelving.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Shelving {
    /// For how long, minutes (1 to 10080, a week).
    pub duration_minutes: i64,
}

/// `POST /api/v1/alarms/{id}/shelve`: shelves an alarm (and its tag's condition) for a while
/// (operator; audited): it is not notified again until then.
#[utoipa::path(post, path = "/api/v1/alarms/{id}/shelve", tag = "alarms",
    params(("id" = i64, Path, description = "The alarm's number")), request_body = Shelving,
    responses((status = 200, body = AlarmView), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn shelve(
    State(state): State<AppState>,
    Authorized(session): Operator,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Shelving>,
) -> Result<ApiJson<AlarmView>, ApiError> {
    let now = alarms::station_now();
    let seconds = body.duration_minutes.saturating_mul(60);
    let alarm = alarms::shelve(&state.store, id, &session.user.username, seconds, now).await?;
    Ok(ApiJson(AlarmView::of(&alarm, now)))
}

/// `POST /api/v1/alarms/{id}/unshelve`: ends an alarm's shelving (operator; audited).
#[utoipa::path(post, path = "/api/v1/alarms/{id}/unshelve", tag = "alarms",
    params(("id" = i64, Path, description = "The alarm's number")),
    responses((status = 200, body = AlarmView), (status = 403, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn unshelve(
    State(state): State<AppState>,
    Authorized(session): Operator,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<AlarmView>, ApiError> {
    let alarm = alarms::unshelve(&state.store, id, &session.user.username).await?;
    Ok(ApiJson(AlarmView::of(&alarm, alarms::station_now())))
}

/// A tag's alarm settings, in the tag's unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Low-low limit (priority 1).
    pub low_low: Option<f64>,
    /// Low limit (priority 2).
    pub low: Option<f64>,
    /// High limit (priority 2).
    pub high: Option<f64>,
    /// High-high limit (priority 1).
    pub high_high: Option<f64>,
    /// Largest change per minute, the tag's unit per minute.
    pub rate_limit_per_minute: Option<f64>,
    /// How far back inside a limit a value must come before its alarm clears (default 0).
    #[serde(default)]
    pub deadband: f64,
    /// Stale after the tag's expected interval × this (1 or more, default 3).
    #[serde(default = "default_stale_factor")]
    pub stale_factor: f64,
}

fn default_stale_factor() -> f64 {
    3.0
}

impl From<AlarmLimits> for Limits {
    fn from(l: AlarmLimits) -> Limits {
        Limits {
            low_low: l.low_low,
            low: l.low,
            high: l.high,
            high_high: l.high_high,
            rate_limit_per_minute: l.rate_limit_per_minute,
            deadband: l.deadband,
            stale_factor: l.stale_factor,
        }
    }
}

impl From<Limits> for AlarmLimits {
    fn from(l: Limits) -> AlarmLimits {
        AlarmLimits {
            low_low: l.low_low,
            low: l.low,
            high: l.high,
            high_high: l.high_high,
            rate_limit_per_minute: l.rate_limit_per_minute,
            deadband: l.deadband,
            stale_factor: l.stale_factor,
        }
    }
}

/// `GET /api/v1/tags/{code}/limits`: a tag's alarm limits, deadband and stale factor.
#[utoipa::path(get, path = "/api/v1/tags/{code}/limits", tag = "alarms",
    params(("code" = String, Path, description = "The tag's code")),
    responses((status = 200, body = Limits), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn limits(
    State(state): State<AppState>,
    _user: Viewer,
    ApiPath(code): ApiPath<String>,
) -> Result<ApiJson<Limits>, ApiError> {
    Ok(ApiJson(alarms::limits(&state.store, &code).await?.into()))
}

/// `PUT /api/v1/tags/{code}/limits`: sets a tag's alarm limits (operator; audited). Limits rise
/// from low-low to high-high; standing alarms clear against the new limits at the next point.
#[utoipa::path(put, path = "/api/v1/tags/{code}/limits", tag = "alarms",
    params(("code" = String, Path, description = "The tag's code")), request_body = Limits,
    responses((status = 200, body = Limits), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn set_limits(
    State(state): State<AppState>,
    Authorized(session): Operator,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<Limits>,
) -> Result<ApiJson<Limits>, ApiError> {
    let set = alarms::set_limits(&state.store, &code, &body.into(), &session.user.username).await?;
    Ok(ApiJson(set.into()))
}

/// Someone told of new alarms by mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecipientView {
    /// The user.
    pub username: String,
    /// Where alarm mail goes.
    pub email: String,
    /// Whether the user is on duty (only they are mailed).
    pub on_duty: bool,
}

/// A user's alarm mail settings.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientBody {
    /// Where alarm mail goes.
    pub email: String,
    /// Whether the user is on duty.
    pub on_duty: bool,
}

fn view(r: alarms::Recipient) -> RecipientView {
    RecipientView {
        username: r.username,
        email: r.email,
        on_duty: r.on_duty,
    }
}

/// `GET /api/v1/alarm-recipients`: who is mailed of new alarms, on duty or not (admin).
#[utoipa::path(get, path = "/api/v1/alarm-recipients", tag = "alarms",
    responses((status = 200, body = [RecipientView]), (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn recipients(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<ApiJson<Vec<RecipientView>>, ApiError> {
    let all = alarms::recipients(&state.store).await?;
    Ok(ApiJson(all.into_iter().map(view).collect()))
}

/// `PUT /api/v1/alarm-recipients/{username}`: sets a user's alarm mail address and whether they
/// are on duty (admin; audited).
#[utoipa::path(put, path = "/api/v1/alarm-recipients/{username}", tag = "alarms",
    params(("username" = String, Path, description = "The user")), request_body = RecipientBody,
    responses((status = 200, body = RecipientView), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn set_recipient(
    State(state): State<AppState>,
    Authorized(session): Admin,
    ApiPath(username): ApiPath<String>,
    ApiJson(body): ApiJson<RecipientBody>,
) -> Result<ApiJson<RecipientView>, ApiError> {
    let recipient = alarms::Recipient {
        username,
        email: body.email.trim().to_string(),
        on_duty: body.on_duty,
    };
    alarms::set_recipient(&state.store, &recipient, &session.user.username).await?;
    Ok(ApiJson(view(recipient)))
}

/// The alarms' part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(
        list,
        one,
        acknowledge,
        shelve,
        unshelve,
        limits,
        set_limits,
        recipients,
        set_recipient
    ),
    components(schemas(
        AlarmView,
        Acknowledgement,
        Shelving,
        Limits,
        RecipientView,
        RecipientBody
    ))
)]
pub struct AlarmsApi;
