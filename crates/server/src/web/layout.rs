//! The page frame (head, navigation by role, the account box, the language switch), the tabs
//! of the operations pages, and numbers and query values as pages write them.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::web::i18n::Language;
use crate::web::page::Ctx;

/// A navigation entry: path, text key, and the least role rank that sees it.
pub struct NavEntry {
    /// Where it goes.
    pub path: &'static str,
    /// Its text key in the language tables.
    pub key: &'static str,
    /// 0 viewer, 1 operator, 2 admin.
    pub min_rank: u8,
}

/// The navigation, in order: a feature whose page belongs in it adds its line here.
#[rustfmt::skip]
pub const NAV: &[NavEntry] = &[
    NavEntry { path: "/", key: "nav.overview", min_rank: 0 },
    NavEntry { path: "/live", key: "live.nav", min_rank: 0 },
    NavEntry { path: "/ledger", key: "nav.ledger", min_rank: 0 },
    NavEntry { path: "/assets", key: "nav.assets", min_rank: 0 },
    NavEntry { path: "/plans", key: "nav.plans", min_rank: 0 },
    NavEntry { path: "/map", key: "map.nav", min_rank: 0 },
    NavEntry { path: "/incidents", key: "incident.nav", min_rank: 0 },
    NavEntry { path: "/alarms", key: "alarms.nav", min_rank: 0 },
    NavEntry { path: "/quality", key: "quality.nav", min_rank: 0 },
    NavEntry { path: "/patrols", key: "patrols.nav", min_rank: 0 },
    NavEntry { path: "/siting", key: "siting.nav", min_rank: 0 },
    NavEntry { path: "/canal", key: "canal.nav", min_rank: 0 },
    NavEntry { path: "/admin/users", key: "nav.users", min_rank: 2 },
    NavEntry { path: "/admin/audit", key: "nav.audit", min_rank: 2 },
    NavEntry { path: "/api/docs", key: "nav.api", min_rank: 0 },
];

fn current(ctx: &Ctx, path: &str) -> bool {
    let here = ctx.path.split('?').next().unwrap_or("/");
    if path == "/" {
        here == "/"
    } else {
        here == path || here.starts_with(&format!("{path}/"))
    }
}

/// The hidden CSRF field every changing form carries.
pub fn csrf_field(ctx: &Ctx) -> Markup {
    html! { input type="hidden" name="csrf" value=(ctx.session.csrf); }
}

/// A whole page around `body`.
pub fn frame(ctx: &Ctx, title: &str, body: Markup) -> Markup {
    let role_key = format!("role.{}", ctx.session.user.role.as_str());
    html! {
        (DOCTYPE)
        html lang=(ctx.language.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (ctx.t("app_name")) }
                link rel="stylesheet" href="/static/style.css";
                script src="/static/app.js" defer {}
            }
            body {
                header.top {
                    a.brand href="/" { (ctx.t("app_name")) }
                    nav {
                        @for entry in NAV.iter().filter(|e| ctx.session.user.role.rank() >= e.min_rank) {
                            a href=(entry.path) class=[current(ctx, entry.path).then_some("current")] {
                                (ctx.t(entry.key))
                            }
                        }
                    }
                    div.account {
                        span.user {
                            (ctx.t("nav.signed_in_as")) " "
                            strong { (ctx.session.user.display_name) }
                            " (" (ctx.t(&role_key)) ")"
                        }
                        span.languages {
                            @for language in Language::ALL {
                                @if language == ctx.language {
                                    strong { (ctx.texts.get(language, "language_name")) }
                                } @else {
                                    a href={ "/lang/" (language.code()) "?next=" (encode(&ctx.path)) } {
                                        (ctx.texts.get(language, "language_name"))
                                    }
                                }
                                " "
                            }
                        }
                        form.logout method="post" action="/logout" {
                            (csrf_field(ctx))
                            button type="submit" { (ctx.t("nav.logout")) }
                        }
                    }
                }
                main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// Styles of the operations pages (class badges, tabs, states), kept with them.
pub const OPS_STYLE: &str = "\
.tabs { display: flex; gap: .3rem; margin: 0 0 1rem; border-bottom: 1px solid var(--line); flex-wrap: wrap; }\
.tabs a { padding: .35rem .8rem; text-decoration: none; color: var(--accent); border: 1px solid transparent; border-bottom: 0; border-radius: 4px 4px 0 0; }\
.tabs a.here { background: #fff; border-color: var(--line); color: var(--ink); font-weight: 600; }\
.badge { display: inline-block; min-width: 2.4em; text-align: center; padding: .05rem .4rem; border-radius: 3px; font-weight: 600; font-size: .85em; }\
.class-I { background: #dbeafe; } .class-II { background: #bfdbfe; } .class-III { background: #bbf7d0; }\
.class-IV { background: #fef08a; } .class-V { background: #fed7aa; } .class-worse { background: #fecaca; }\
.state-open, .due-overdue, .decision-REJECT { background: #fecaca; } .state-assigned, .decision-REFER { background: #fed7aa; }\
.state-repaired, .due-due, .decision-CONDITIONAL { background: #fef08a; } .state-verified { background: #bbf7d0; }\
.state-closed, .due-upcoming, .decision-PASS { background: #e5e7eb; } .decision-PASS { background: #bbf7d0; }\
.forms { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem; margin: 1rem 0; }\
.forms form { display: flex; flex-direction: column; gap: .5rem; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; }\
.result { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .6rem 1rem; margin: 1rem 0; }\
.result .big { font-size: 1.4rem; font-weight: 700; }\
textarea { font: inherit; font-family: ui-monospace, monospace; font-size: .85rem; }\
";

/// The styles as a `<style>` element.
pub fn ops_style() -> Markup {
    html! { style { (PreEscaped(OPS_STYLE)) } }
}

/// The tabs over an operations page, with their styles: `entries` are (path, text key), and the
/// one at `here` is marked.
pub fn tabs(ctx: &Ctx, entries: &[(&str, &str)], here: &str) -> Markup {
    html! {
        (ops_style())
        nav.tabs {
            @for (path, key) in entries {
                a href=(path) class=[(*path == here).then_some("here")] { (ctx.t(key)) }
            }
        }
    }
}

/// Percent-encodes a value for a query string.
pub fn encode(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)])
        .ok()
        .and_then(|s| s.strip_prefix("v=").map(String::from))
        .unwrap_or_default()
}

/// A number with thousands separators and `decimals` decimals.
pub fn grouped(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    if value < 0.0 && value.abs() >= 0.5 * 10f64.powi(-(decimals as i32)) {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(grouped(1234567.891, 2), "1,234,567.89");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(-1000.0, 0), "-1,000");
        assert_eq!(encode("/ledger?by=use&x=1"), "%2Fledger%3Fby%3Duse%26x%3D1");
    }
}
