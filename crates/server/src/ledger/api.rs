//! The supply ledger as JSON pages and CSV, and its part of the OpenAPI document.

use axum::extract::State;
use axum::response::Response;
use utoipa::OpenApi;

use super::report::{csv_response, ledger_page, LedgerPage, LedgerParams};
use crate::web::api::{ApiJson, ApiQuery};
use crate::web::auth::Viewer;
use crate::web::error::ApiError;
use crate::web::paging::Paging;
use crate::web::state::AppState;

/// `GET /api/v1/ledger`: the supply ledger, grouped and by period, a page of rows.
#[utoipa::path(get, path = "/api/v1/ledger", tag = "reports", params(LedgerParams),
    responses((status = 200, body = LedgerPage), (status = 400, body = crate::web::error::ErrorBody),
        (status = 401, body = crate::web::error::ErrorBody)))]
pub async fn ledger(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<LedgerParams>,
) -> Result<ApiJson<LedgerPage>, ApiError> {
    let query = params.query()?;
    let paging = Paging::of(params.limit, params.offset)?;
    let ledger = state.reports.ledger(&state.store, query).await?;
    Ok(ApiJson(ledger_page(&ledger, paging)))
}

/// `GET /api/v1/ledger.csv`: the whole ledger as CSV (same filters; no paging).
#[utoipa::path(get, path = "/api/v1/ledger.csv", tag = "reports", params(LedgerParams),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 400, body = crate::web::error::ErrorBody)))]
pub async fn ledger_csv(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<LedgerParams>,
) -> Result<Response, ApiError> {
    let query = params.query()?;
    let ledger = state.reports.ledger(&state.store, query).await?;
    Ok(csv_response(&ledger)?)
}

/// The ledger's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(ledger, ledger_csv))]
pub struct LedgerApi;
