//! Operator-facing text in Chinese and English (the tables in `i18n/*.toml`), the language chosen
//! (the `dj_lang` cookie, then Accept-Language, then English) and the switch that sets it.

use std::collections::HashMap;
use std::convert::Infallible;

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;

use crate::web::auth::{safe_next, Next};
use crate::web::error::{Result, ServerError};
use crate::web::page::PageError;

/// The cookie that remembers the language chosen with the switch.
pub const LANGUAGE_COOKIE: &str = "dj_lang";

/// A language of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// English.
    English,
    /// Simplified Chinese.
    Chinese,
}

impl Language {
    /// Every language, in the order of the switch.
    pub const ALL: [Language; 2] = [Language::Chinese, Language::English];

    /// The language's code (`en`, `zh`), as in the cookie and `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Chinese => "zh",
        }
    }

    /// The language named by a code or a language tag (`zh-CN`, `en-GB`), if it is one of ours.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Language::English),
            "zh" => Some(Language::Chinese),
            _ => None,
        }
    }

    /// The best of our languages for an Accept-Language header (by its q weights), if any fits.
    pub fn from_accept_language(header: &str) -> Option<Language> {
        let mut best: Option<(f32, Language)> = None;
        for item in header.split(',') {
            let mut pieces = item.split(';');
            let tag = pieces.next().unwrap_or_default();
            let weight = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(language) = Language::from_tag(tag) {
                if best.is_none_or(|(w, _)| weight > w) {
                    best = Some((weight, language));
                }
            }
        }
        best.map(|(_, language)| language)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Language {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        let jar = CookieJar::from_headers(&parts.headers);
        if let Some(language) = jar
            .get(LANGUAGE_COOKIE)
            .and_then(|c| Language::from_tag(c.value()))
        {
            return Ok(language);
        }
        Ok(parts
            .headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Language::from_accept_language)
            .unwrap_or(Language::English))
    }
}

/// `GET /lang/{code}?next=PATH`: remembers the language in a cookie and goes back.
pub async fn switch_language(
    Path(code): Path<String>,
    Query(next): Query<Next>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let language = Language::from_tag(&code)
        .ok_or_else(|| ServerError::BadRequest(format!("language `{code}`: expected en or zh")))?;
    let cookie = Cookie::build((LANGUAGE_COOKIE, language.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .permanent()
        .build();
    Ok((
        jar.add(cookie),
        Redirect::to(&safe_next(next.next.as_deref())),
    )
        .into_response())
}

const ENGLISH_TABLE: &str = include_str!("../../i18n/en.toml");
const CHINESE_TABLE: &str = include_str!("../../i18n/zh.toml");

/// The text tables of every language, flattened to dotted keys (`nav.overview`).
#[derive(Debug, Clone)]
pub struct Texts {
    tables: HashMap<Language, HashMap<String, String>>,
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) -> Result<()> {
    for (key, value) in table {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::String(text) => {
                out.insert(full, text.clone());
            }
            toml::Value::Table(inner) => flatten(&full, inner, out)?,
            other => {
                return Err(ServerError::Texts {
                    file: "i18n",
                    reason: format!("`{full}` is a {}, expected text", other.type_str()),
                })
            }
        }
    }
    Ok(())
}

fn parse(file: &'static str, text: &str) -> Result<HashMap<String, String>> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ServerError::Texts {
            file,
            reason: e.to_string(),
        })?;
    let mut out = HashMap::new();
    flatten("", &table, &mut out)?;
    Ok(out)
}

impl Texts {
    /// The built-in tables (i18n/en.toml and i18n/zh.toml).
    pub fn built_in() -> Result<Texts> {
        let mut tables = HashMap::new();
        tables.insert(Language::English, parse("en.toml", ENGLISH_TABLE)?);
        tables.insert(Language::Chinese, parse("zh.toml", CHINESE_TABLE)?);
        Ok(Texts { tables })
    }

    /// The text of `key` in `language`; English when the language lacks it, the key itself when
    /// no table has it (visible on the page, and caught by the key test).
    pub fn get<'a>(&'a self, language: Language, key: &'a str) -> &'a str {
        self.tables
            .get(&language)
            .and_then(|t| t.get(key))
            .or_else(|| self.tables.get(&Language::English).and_then(|t| t.get(key)))
            .map_or(key, String::as_str)
    }

    /// The keys of one language's table, sorted.
    pub fn keys(&self, language: Language) -> Vec<&str> {
        let mut keys: Vec<&str> = self
            .tables
            .get(&language)
            .map(|t| t.keys().map(String::as_str).collect())
            .unwrap_or_default();
        keys.sort_unstable();
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_tables_have_the_same_keys() {
        let texts = Texts::built_in().unwrap();
        assert_eq!(texts.keys(Language::English), texts.keys(Language::Chinese));
        assert_eq!(texts.get(Language::Chinese, "nav.ledger"), "供水台账");
        assert_eq!(texts.get(Language::English, "nav.ledger"), "Supply ledger");
        assert_eq!(texts.get(Language::English, "no.such.key"), "no.such.key");
    }

    #[test]
    fn accept_language_weights_pick_the_language() {
        assert_eq!(
            Language::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Language::Chinese)
        );
        assert_eq!(
            Language::from_accept_language("fr;q=1, en-GB;q=0.7, zh;q=0.5"),
            Some(Language::English)
        );
        assert_eq!(Language::from_accept_language("fr, de"), None);
        assert_eq!(Language::from_accept_language(""), None);
    }
}
