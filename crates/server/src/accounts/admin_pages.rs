//! Admin pages: users (create, change role or activity), login lockouts (lifted by hand) and the
//! audit log.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;

use super::throttle::{self, Lockout, Scope};
use super::users::{
    self, change_user_audited, create_user_audited, lift_lockout_audited, NewUser, UserChange,
};
use crate::web::audit;
use crate::web::auth::FormAs;
use crate::web::dates::now;
use crate::web::error::ServerError;
use crate::web::layout::{csrf_field, encode, frame};
use crate::web::page::{AdminPage, Ctx, PageError, PageOf};
use crate::web::paging::{PageParams, Paging};
use crate::web::session::Role;
use crate::web::state::AppState;

/// Notices after a change.
#[derive(Debug, Deserialize)]
pub struct Notice {
    created: Option<String>,
    lifted: Option<String>,
}

/// `GET /admin/users`.
pub async fn users(
    State(state): State<AppState>,
    PageOf(ctx): AdminPage,
    Query(notice): Query<Notice>,
) -> Result<Markup, PageError> {
    let (items, _) = users::list_users(&state.store, 1000, 0).await?;
    let lockouts = throttle::lockouts(&state.store, now()).await?;
    let body = html! {
        @if notice.created.is_some() { p.notice role="status" { (ctx.t("users.created_ok")) } }
        @if notice.lifted.is_some() { p.notice role="status" { (ctx.t("users.lockout_lifted")) } }
        table.users {
            thead { tr {
                th { (ctx.t("users.username")) } th { (ctx.t("users.display_name")) } th { (ctx.t("users.role")) }
                th { (ctx.t("users.active")) } th { (ctx.t("users.created")) } th { (ctx.t("users.change_role")) }
            } }
            tbody {
                @for user in &items {
                    tr {
                        td { (user.username) } td { (user.display_name) }
                        td { (ctx.t(&format!("role.{}", user.role.as_str()))) }
                        td { @if user.active { "✓" } @else { "—" } }
                        td { (user.created_at) }
                        td {
                            @if user.username != ctx.session.user.username {
                                form.inline method="post" action={ "/admin/users/" (encode(&user.username)) } {
                                    (csrf_field(&ctx))
                                    select name="role" {
                                        @for role in Role::ALL { option value=(role.as_str()) selected[role == user.role] { (ctx.t(&format!("role.{}", role.as_str()))) } }
                                    }
                                    label { input type="checkbox" name="active" value="1" checked[user.active]; (ctx.t("users.active")) }
                                    button type="submit" { (ctx.t("users.save")) }
                                }
                            }
                        }
                    }
                }
            }
        }
        (lockout_table(&ctx, &lockouts))
        h2 { (ctx.t("users.create")) }
        form.create-user method="post" action="/admin/users" {
            (csrf_field(&ctx))
            label { (ctx.t("users.username")) " " input name="username" required pattern="[a-z0-9._\\-]{2,32}"; }
            label { (ctx.t("users.display_name")) " " input name="display_name"; }
            label { (ctx.t("users.password")) " " input type="password" name="password" minlength="8" required autocomplete="new-password"; }
            label { (ctx.t("users.role")) " "
                select name="role" { @for role in Role::ALL { option value=(role.as_str()) { (ctx.t(&format!("role.{}", role.as_str()))) } } }
            }
            button type="submit" { (ctx.t("users.create")) }
        }
    };
    Ok(frame(&ctx, ctx.t("users.title"), body))
}

/// The lockouts in force, each with its lift button.
fn lockout_table(ctx: &Ctx, lockouts: &[Lockout]) -> Markup {
    html! {
        h2 { (ctx.t("users.lockouts")) }
        @if lockouts.is_empty() {
            p.note { (ctx.t("users.no_lockouts")) }
        } @else {
            table.lockouts {
                thead { tr {
                    th { (ctx.t("users.lockout_scope")) } th { (ctx.t("users.lockout_subject")) }
                    th { (ctx.t("users.lockout_failures")) } th { (ctx.t("users.lockout_ends")) } th {}
                } }
                tbody {
                    @for lockout in lockouts {
                        tr {
                            td { (ctx.t(&format!("users.lockout_{}", lockout.scope.as_str()))) }
                            td { code { (lockout.subject) } }
                            td { (lockout.failures) }
                            td { ((lockout.retry_after_seconds + 59) / 60) " min" }
                            td {
                                form.inline method="post" action="/admin/lockouts" {
                                    (csrf_field(ctx))
                                    input type="hidden" name="scope" value=(lockout.scope.as_str());
                                    input type="hidden" name="subject" value=(lockout.subject);
                                    button type="submit" { (ctx.t("users.lockout_lift")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The lift-lockout form.
#[derive(Debug, Deserialize)]
pub struct LiftForm {
    scope: Scope,
    subject: String,
}

/// `POST /admin/lockouts`: lifts a login lockout (admin; CSRF field; audited).
pub async fn lift_lockout(
    State(state): State<AppState>,
    FormAs(session, form): FormAs<2, LiftForm>,
) -> Result<Response, PageError> {
    lift_lockout_audited(&state, &session.user.username, form.scope, &form.subject).await?;
    Ok(Redirect::to("/admin/users?lifted=1").into_response())
}

/// `POST /admin/users` (admin; audited).
pub async fn create_user(
    State(state): State<AppState>,
    FormAs(session, new): FormAs<2, NewUserForm>,
) -> Result<Response, PageError> {
    let new = NewUser {
        username: new.username.trim().to_string(),
        display_name: new.display_name.unwrap_or_default(),
        password: new.password,
        role: new.role.parse()?,
    };
    create_user_audited(&state, &session.user.username, &new).await?;
    Ok(Redirect::to("/admin/users?created=1").into_response())
}

/// The create-user form.
#[derive(Debug, Deserialize)]
pub struct NewUserForm {
    username: String,
    display_name: Option<String>,
    password: String,
    role: String,
}

/// The change-user form (an unticked checkbox sends nothing: inactive).
#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    role: String,
    active: Option<String>,
}

/// `POST /admin/users/{username}` (admin; audited).
pub async fn change_user(
    State(state): State<AppState>,
    Path(username): Path<String>,
    FormAs(session, form): FormAs<2, ChangeForm>,
) -> Result<Response, PageError> {
    if username == session.user.username {
        return Err(ServerError::BadRequest(
            "admins may not change their own role or activity here".into(),
        )
        .into());
    }
    let change = UserChange {
        role: Some(form.role.parse()?),
        active: Some(form.active.is_some()),
        ..UserChange::default()
    };
    change_user_audited(&state, &session.user.username, &username, &change).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

/// `GET /admin/audit`.
pub async fn audit(
    State(state): State<AppState>,
    PageOf(ctx): AdminPage,
    Query(params): Query<PageParams>,
) -> Result<Markup, PageError> {
    let paging = Paging::of(params.limit.or(Some(100)), params.offset)?;
    let (items, total) = audit::list(&state.store, paging.limit, paging.offset).await?;
    let json =
        |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    let body = html! {
        table.audit {
            thead { tr {
                th { (ctx.t("audit.when")) } th { (ctx.t("audit.who")) } th { (ctx.t("audit.action")) }
                th { (ctx.t("audit.entity")) } th { (ctx.t("audit.before")) } th { (ctx.t("audit.after")) }
            } }
            tbody {
                @for entry in &items {
                    tr {
                        td { (entry.at) } td { (entry.username) } td { (entry.action) }
                        td { (entry.entity) " " code { (entry.entity_id) } }
                        td { code { (json(&entry.before)) } } td { code { (json(&entry.after)) } }
                    }
                }
            }
        }
        nav.pager {
            @if paging.offset > 0 { a href={ "/admin/audit?offset=" ((paging.offset - paging.limit).max(0)) } { "← " (ctx.t("assets.previous")) } }
            " " (ctx.t("assets.of")) " " (total) " "
            @if paging.offset + paging.limit < total { a href={ "/admin/audit?offset=" (paging.offset + paging.limit) } { (ctx.t("assets.next")) " →" } }
        }
    };
    Ok(frame(&ctx, ctx.t("audit.title"), body))
}
