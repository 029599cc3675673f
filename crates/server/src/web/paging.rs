//! Lists a page at a time: the API's `limit` and `offset`, a page of a list, and the pager that
//! pages draw under a table.

use maud::{html, Markup};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::web::error::ServerError;
use crate::web::page::Ctx;

/// The most items one page may hold.
pub const MAX_LIMIT: i64 = 1000;
/// Items per page when not asked.
pub const DEFAULT_LIMIT: i64 = 100;
/// Rows of a list per page on the operations pages (quality, patrols, siting).
pub const ROWS_PER_PAGE: i64 = 50;

/// Where a page of a list starts and how long it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Paging {
    /// Items in the page (1 to 1000).
    pub limit: i64,
    /// Items skipped before the page.
    pub offset: i64,
}

impl Paging {
    /// Checks the asked `limit` and `offset`, filling in defaults (100 from 0).
    pub fn of(limit: Option<i64>, offset: Option<i64>) -> Result<Paging, ServerError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        let offset = offset.unwrap_or(0);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ServerError::BadRequest(format!(
                "limit {limit}: expected 1 to {MAX_LIMIT}"
            )));
        }
        if offset < 0 {
            return Err(ServerError::BadRequest(format!(
                "offset {offset}: expected 0 or more"
            )));
        }
        Ok(Paging { limit, offset })
    }
}

/// Paging of a list in a query string.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items in the page, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// Items skipped (default 0).
    pub offset: Option<i64>,
}

/// A page of a list.
#[derive(Debug, Clone, Serialize)]
pub struct ListPage<T> {
    /// Items matching the filter.
    pub total: i64,
    /// The page.
    pub paging: Paging,
    /// The items.
    pub items: Vec<T>,
}

impl<T> ListPage<T> {
    /// The page `paging` of `all`.
    pub fn of(all: Vec<T>, paging: Paging) -> ListPage<T> {
        let total = all.len() as i64;
        let items = all
            .into_iter()
            .skip(paging.offset as usize)
            .take(paging.limit as usize)
            .collect();
        ListPage {
            total,
            paging,
            items,
        }
    }
}

/// The pager under a list: links to the pages before and after; `link` makes the link of an
/// offset.
pub fn pager(ctx: &Ctx, paging: Paging, total: i64, link: impl Fn(i64) -> String) -> Markup {
    // Saturating: an offset far past the end is a valid (empty) page, not an overflow.
    let end = paging.offset.saturating_add(paging.limit);
    html! {
        nav.pager {
            @if paging.offset > 0 {
                a href=(link((paging.offset - paging.limit).max(0))) { "← " (ctx.t("assets.previous")) }
            }
            " " (ctx.t("assets.showing")) " " (if total > paging.offset { paging.offset + 1 } else { 0 }) "–"
            (end.min(total)) " " (ctx.t("assets.of")) " " (total) " "
            @if end < total {
                a href=(link(end)) { (ctx.t("assets.next")) " →" }
            }
        }
    }
}
