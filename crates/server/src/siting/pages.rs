//! Siting review pages: saved reviews, the application form (point and radius or GeoJSON, four
//! flags), a review with its rules, sources, distances and site plan, and the zone map upload.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use super::reviews::{
    current_zones, describe, find_review, review_and_save, review_list, rule_set, rule_set_info,
    upload_zones,
};
use super::site_plan::site_plan;
use crate::web::auth::{tokens_equal, FormAs};
use crate::web::error::{upload_error, ServerError};
use crate::web::layout::{self, csrf_field, frame};
use crate::web::page::{Ctx, PageError, PageOf, ViewerPage};
use crate::web::paging::Paging;
use crate::web::paging::{pager, ROWS_PER_PAGE};
use crate::web::session::Role;
use crate::web::state::AppState;

const DECISIONS: [&str; 4] = ["REJECT", "CONDITIONAL", "REFER", "PASS"];

fn tabs(ctx: &Ctx, here: &str) -> Markup {
    let entries = [
        ("/siting", "siting.reviews"),
        ("/siting/new", "siting.new"),
        ("/siting/zones", "siting.zones"),
    ];
    layout::tabs(ctx, &entries, here)
}

fn decision_badge(ctx: &Ctx, decision: &str) -> Markup {
    html! { span class={ "badge decision-" (decision) } { (ctx.t(&format!("siting.decision_{}", decision.to_ascii_lowercase()))) } }
}

fn metres(value: Option<f64>) -> String {
    match value {
        Some(m) if m >= 10_000.0 => format!("{:.1} km", m / 1000.0),
        Some(m) => format!("{m:.1} m"),
        None => "—".to_string(),
    }
}

/// The review list's query.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    decision: Option<String>,
    offset: Option<i64>,
}

/// `GET /siting`: saved reviews, newest first.
pub async fn list(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Query(query): Query<ListQuery>,
) -> Result<Markup, PageError> {
    let paging = Paging::of(Some(ROWS_PER_PAGE), query.offset)?;
    let wanted = query.decision.clone().unwrap_or_default();
    let reviews = review_list(&state, Some(&wanted), paging).await?;
    let body = html! {
        (tabs(&ctx, "/siting"))
        form.filters method="get" action="/siting" {
            label { (ctx.t("siting.decision")) " "
                select name="decision" {
                    option value="" { (ctx.t("siting.all_decisions")) }
                    @for d in DECISIONS { option value=(d) selected[d == wanted] { (ctx.t(&format!("siting.decision_{}", d.to_ascii_lowercase()))) } }
                }
            }
            button type="submit" { (ctx.t("ledger.show")) }
        }
        @if reviews.items.is_empty() {
            p.empty { (ctx.t("siting.no_reviews")) }
        } @else {
            table.reviews {
                thead { tr {
                    th { "#" } th { (ctx.t("siting.reviewed_at")) } th { (ctx.t("siting.application")) }
                    th { (ctx.t("siting.category")) } th { (ctx.t("siting.decision")) } th { (ctx.t("siting.zone")) }
                    th.num { (ctx.t("siting.distance_to_canal")) } th { (ctx.t("siting.by")) }
                } }
                tbody {
                    @for r in &reviews.items {
                        tr {
                            td { a href={ "/siting/reviews/" (r.id) } { (r.id) } }
                            td { (r.reviewed_at.replace('T', " ")) }
                            td { a href={ "/siting/reviews/" (r.id) } { (r.application) } }
                            td { (r.category) }
                            td { (decision_badge(&ctx, &r.decision)) }
                            td { (r.zone.as_deref().map(|z| ctx.t(&format!("siting.zone_{z}")).to_string()).unwrap_or_else(|| ctx.t("siting.outside").to_string())) }
                            td.num { (metres(r.distance_to_canal_m)) }
                            td { (r.reviewed_by.clone().unwrap_or_default()) }
                        }
                    }
                }
            }
            (pager(&ctx, paging, reviews.total, |o| format!("/siting?decision={wanted}&offset={o}")))
        }
    };
    Ok(frame(&ctx, ctx.t("siting.title"), body))
}

/// `GET /siting/new`: the application form (operators).
pub async fn new_form(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
) -> Result<Markup, PageError> {
    let rules = rule_set()?;
    let info = rule_set_info(&rules);
    let zones = current_zones(&state, &rules).await?;
    let can_edit = ctx.session.user.role >= Role::Operator;
    let body = html! {
        (tabs(&ctx, "/siting/new"))
        p.note { (ctx.t("siting.rule_set")) ": " (info.name) " " (info.version) }
        @if zones.is_none() {
            p.error { (ctx.t("siting.no_zones")) " " a href="/siting/zones" { (ctx.t("siting.zones")) } }
        }
        @if can_edit {
            div.forms {
                form.siting-application method="post" action="/siting/reviews" {
                    (csrf_field(&ctx))
                    label { (ctx.t("siting.application")) " " input type="text" name="name" required; }
                    label { (ctx.t("siting.category")) " "
                        select name="category" required {
                            @for c in &info.categories { option value=(c.id) { (c.id) " — " (c.text) } }
                        }
                    }
                    fieldset {
                        legend { (ctx.t("siting.point")) }
                        label { (ctx.t("siting.longitude")) " " input type="number" name="longitude" step="any" min="-180" max="180"; }
                        label { (ctx.t("siting.latitude")) " " input type="number" name="latitude" step="any" min="-90" max="90"; }
                        label { (ctx.t("siting.radius")) " " input type="number" name="radius_m" step="any" min="0"; }
                    }
                    label { (ctx.t("siting.geojson")) " " textarea name="footprint" rows="5" placeholder="{\"type\": \"Polygon\", \"coordinates\": [[[113.39, 34.11], ...]]}" {} }
                    @for flag in ["discharges_pollutants", "stores_hazardous_goods", "crosses_canal", "serves_water_supply"] {
                        label style="flex-direction: row; gap: .4rem" {
                            input type="checkbox" name=(flag) value="yes";
                            (ctx.t(&format!("siting.{flag}")))
                        }
                    }
                    button type="submit" { (ctx.t("siting.review")) }
                }
            }
        } @else {
            p.note { (ctx.t("siting.readonly")) }
        }
    };
    Ok(frame(&ctx, ctx.t("siting.new_title"), body))
}

/// The application form.
#[derive(Debug, Deserialize)]
pub struct ApplicationForm {
    name: String,
    category: String,
    #[serde(default)]
    longitude: String,
    #[serde(default)]
    latitude: String,
    #[serde(default)]
    radius_m: String,
    #[serde(default)]
    footprint: String,
    discharges_pollutants: Option<String>,
    stores_hazardous_goods: Option<String>,
    crosses_canal: Option<String>,
    serves_water_supply: Option<String>,
}

fn number_field(text: &str, field: &str) -> Result<Option<f64>, ServerError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or_else(|| ServerError::BadRequest(format!("{field}: `{text}` is not a number")))
}

/// The application JSON a form describes: the GeoJSON footprint when given, else the point.
pub fn application_json(form: &ApplicationForm) -> Result<String, ServerError> {
    let footprint: serde_json::Value = if !form.footprint.trim().is_empty() {
        serde_json::from_str(form.footprint.trim())
            .map_err(|e| ServerError::BadRequest(format!("footprint: not GeoJSON: {e}")))?
    } else {
        let lon = number_field(&form.longitude, "longitude")?;
        let lat = number_field(&form.latitude, "latitude")?;
        match (lon, lat) {
            (Some(lon), Some(lat)) => {
                serde_json::json!({ "type": "Point", "coordinates": [lon, lat] })
            }
            _ => return Err(ServerError::BadRequest(
                "footprint: give a longitude and latitude (and a radius), or a GeoJSON geometry"
                    .into(),
            )),
        }
    };
    let mut application = serde_json::json!({
        "name": form.name,
        "category": form.category,
        "footprint": footprint,
        "discharges_pollutants": form.discharges_pollutants.is_some(),
        "stores_hazardous_goods": form.stores_hazardous_goods.is_some(),
        "crosses_canal": form.crosses_canal.is_some(),
        "serves_water_supply": form.serves_water_supply.is_some(),
    });
    if let Some(radius) = number_field(&form.radius_m, "radius_m")? {
        if form.footprint.trim().is_empty() {
            application["radius_m"] = serde_json::json!(radius);
        }
    }
    Ok(application.to_string())
}

/// `POST /siting/reviews` (operator; audited): reviews and saves, then shows the review.
pub async fn submit(
    State(state): State<AppState>,
    FormAs(session, form): FormAs<1, ApplicationForm>,
) -> Result<Response, PageError> {
    let text = application_json(&form)?;
    let saved = review_and_save(&state, &session.user.username, &text).await?;
    Ok(Redirect::to(&format!("/siting/reviews/{}", saved.id)).into_response())
}

/// `GET /siting/reviews/{id}`: a saved review with its rules, sources and distances.
pub async fn detail(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
    Path(id): Path<String>,
) -> Result<Markup, PageError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ServerError::NotFound(format!("siting review `{id}`")))?;
    let stored = find_review(&state, id).await?;
    let summary = &stored.summary;
    let outcome = &stored.outcome;
    let rules = outcome["rules"].as_array().cloned().unwrap_or_default();
    let overridden = outcome["overridden"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let distances = outcome["distances"].as_array().cloned().unwrap_or_default();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let zone_name = |z: &str| ctx.t(&format!("siting.zone_{z}")).to_string();
    let rules_in_force = rule_set()?;
    let plan = match current_zones(&state, &rules_in_force).await? {
        Some((_, map)) => site_plan(
            &ctx,
            &stored.application_json,
            &map,
            summary.distance_to_canal_m,
        ),
        None => None,
    };
    let body = html! {
        (tabs(&ctx, "/siting"))
        div.result.decision {
            span.big { (decision_badge(&ctx, &summary.decision)) } " "
            strong { (summary.application) } " (" (summary.category) ")"
            p {
                (ctx.t("siting.zone")) ": " (summary.zone.as_deref().map(zone_name).unwrap_or_else(|| ctx.t("siting.outside").to_string()))
                " · " (ctx.t("siting.distance_to_canal")) ": " strong.canal-distance { (metres(summary.distance_to_canal_m)) }
            }
            p.note { (ctx.t("siting.rule_set")) ": " (summary.rule_set) " " (summary.rule_set_version)
                " · " (summary.reviewed_at.replace('T', " ")) " · " (summary.reviewed_by.clone().unwrap_or_default()) }
        }
        @if let Some(svg) = &plan {
            section.chart-box {
                (PreEscaped(svg))
                p.note { (ctx.t("siting.plan_note")) }
            }
        }
        h2 { (ctx.t("siting.rules_fired")) }
        table.rules {
            thead { tr { th { (ctx.t("siting.rule")) } th { (ctx.t("siting.decision")) } th { (ctx.t("siting.text")) } th { (ctx.t("siting.source")) } } }
            tbody {
                @for r in &rules {
                    tr { td { code { (text(&r["id"])) } } td { (decision_badge(&ctx, &text(&r["decision"]))) } td { (text(&r["text"])) } td.source { (text(&r["source"])) } }
                }
            }
        }
        @if !overridden.is_empty() {
            h2 { (ctx.t("siting.overridden")) }
            table.overridden {
                tbody {
                    @for r in &overridden {
                        tr { td { code { (text(&r["id"])) } } td { (decision_badge(&ctx, &text(&r["decision"]))) } td { (text(&r["text"])) }
                             td { (ctx.t("siting.set_aside_by")) " " code { (text(&r["overridden_by"])) } } }
                    }
                }
            }
        }
        h2 { (ctx.t("siting.distances")) }
        table.distances {
            thead { tr { th { (ctx.t("siting.zone")) } th { (ctx.t("siting.zone_name")) } th.num { (ctx.t("siting.distance")) } th { (ctx.t("siting.touches")) } } }
            tbody {
                @for d in &distances {
                    tr {
                        td { (zone_name(&text(&d["zone"]))) }
                        td { (text(&d["name"])) }
                        td.num { (metres(d["distance_m"].as_f64())) }
                        td { (if d["touches"].as_bool() == Some(true) { ctx.t("quality.yes") } else { ctx.t("quality.no") }) }
                    }
                }
            }
        }
        details {
            summary { (ctx.t("siting.application_json")) }
            pre { code { (serde_json::to_string_pretty(&stored.application_json).unwrap_or_default()) } }
        }
        p.exports { a href={ "/api/v1/siting/reviews/" (id) } { "JSON" } }
    };
    Ok(frame(
        &ctx,
        &format!("{} #{id}", ctx.t("siting.review_title")),
        body,
    ))
}

/// `GET /siting/zones`: the zone map in force and, for operators, the upload form.
pub async fn zones_page(
    State(state): State<AppState>,
    PageOf(ctx): ViewerPage,
) -> Result<Markup, PageError> {
    let rules = rule_set()?;
    let zones = current_zones(&state, &rules).await?;
    let can_edit = ctx.session.user.role >= Role::Operator;
    let body = html! {
        (tabs(&ctx, "/siting/zones"))
        @match &zones {
            Some((stored, map)) => {
                @let info = describe(stored, map);
                div.result.zone-map {
                    strong { (info.name) } " · " (info.uploaded_at.replace('T', " ")) " · " (info.uploaded_by.clone().unwrap_or_default())
                    p { (if info.has_canal { ctx.t("siting.has_canal") } else { ctx.t("siting.no_canal") }) }
                }
                table.zones {
                    thead { tr { th { (ctx.t("siting.zone")) } th { (ctx.t("siting.zone_name")) } } }
                    tbody { @for z in &info.zones { tr { td { (ctx.t(&format!("siting.zone_{}", z.kind))) } td { (z.name) } } } }
                }
            }
            None => { p.empty { (ctx.t("siting.no_zones")) } }
        }
        @if can_edit {
            div.forms {
                form.zone-upload method="post" action="/siting/zones" enctype="multipart/form-data" {
                    h2 { (ctx.t("siting.upload_zones")) }
                    (csrf_field(&ctx))
                    p.note { (ctx.t("siting.zones_note")) }
                    label { (ctx.t("siting.zones_file")) " " input type="file" name="file" accept=".geojson,.json,application/geo+json,application/json" required; }
                    button type="submit" { (ctx.t("quality.upload")) }
                }
            }
        }
    };
    Ok(frame(&ctx, ctx.t("siting.zones_title"), body))
}

/// `POST /siting/zones`: a zone map uploaded from the form (operator; CSRF field; audited).
pub async fn zones_upload(
    State(state): State<AppState>,
    PageOf(ctx): PageOf<1>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PageError> {
    let bad = |e: String| ServerError::BadRequest(format!("upload: {e}"));
    let mut multipart = multipart.map_err(|e| bad(e.body_text()))?;
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| upload_error("upload", &e))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| upload_error("upload", &e))?;
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).to_string(),
            "file" => {
                file = Some((
                    file_name.unwrap_or_else(|| "zones.geojson".to_string()),
                    bytes.to_vec(),
                ))
            }
            _ => {}
        }
    }
    if !tokens_equal(&csrf, &ctx.session.csrf) {
        return Err(ServerError::Csrf.into());
    }
    let (name, bytes) = file
        .filter(|(_, b)| !b.is_empty())
        .ok_or_else(|| bad("file: expected a GeoJSON file, found nothing".into()))?;
    let text = String::from_utf8(bytes).map_err(|_| bad(format!("{name}: not UTF-8 text")))?;
    upload_zones(&state.store, &ctx.session.user.username, &name, &text).await?;
    Ok(Redirect::to("/siting/zones").into_response())
}
