//! The browsable API page, drawn by us from the OpenAPI document (no Swagger UI: the machine may
//! be offline).

use std::sync::Arc;

use maud::{html, Markup};
use serde_json::Value;
use utoipa::openapi::OpenApi;

use crate::web::layout::frame;
use crate::web::page::{PageError, PageOf, ViewerPage};

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn schema_name(value: Option<&Value>) -> String {
    let Some(value) = value else {
        return String::new();
    };
    if let Some(reference) = value.get("$ref").and_then(Value::as_str) {
        return reference
            .rsplit('/')
            .next()
            .unwrap_or(reference)
            .to_string();
    }
    if let Some(items) = value.get("items") {
        return format!("[{}]", schema_name(Some(items)));
    }
    text(value, "type")
}

/// `GET /api/docs`: the operations of `document`, as drawn from its JSON.
pub async fn page(PageOf(ctx): ViewerPage, document: Arc<OpenApi>) -> Result<Markup, PageError> {
    let document = serde_json::to_value(&*document)
        .map_err(|e| crate::web::error::ServerError::BadRequest(e.to_string()))?;
    let empty = serde_json::Map::new();
    let paths = document
        .get("paths")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let body = html! {
        p { (ctx.t("docs.intro")) " " a href="/api/openapi.json" { code { "/api/openapi.json" } } "." }
        p.note { (text(document.get("info").unwrap_or(&Value::Null), "description")) }
        @for (path, operations) in paths {
            @for (method, operation) in operations.as_object().unwrap_or(&empty) {
                section.endpoint id={ (method) "-" (path) } {
                    h2 { span class={ "method " (method) } { (method.to_uppercase()) } " " code { (path) } }
                    p { (text(operation, "summary")) }
                    @if let Some(description) = operation.get("description").and_then(Value::as_str) { p.note { (description) } }
                    @if let Some(params) = operation.get("parameters").and_then(Value::as_array) {
                        table.params {
                            @for param in params {
                                tr {
                                    td { code { (text(param, "name")) } }
                                    td { (text(param, "in")) }
                                    td { @if param.get("required").and_then(Value::as_bool) == Some(true) { "required" } }
                                    td { (schema_name(param.get("schema"))) }
                                    td { (text(param, "description")) }
                                }
                            }
                        }
                    }
                    @if let Some(body) = operation.pointer("/requestBody/content/application~1json/schema") {
                        p { "Body: " code { (schema_name(Some(body))) } }
                    }
                    ul.responses {
                        @for (status, response) in operation.get("responses").and_then(Value::as_object).unwrap_or(&empty) {
                            li {
                                code { (status) } " " (text(response, "description"))
                                @if let Some(content) = response.get("content").and_then(Value::as_object) {
                                    @for (kind, media) in content {
                                        " — " (kind) " " code { (schema_name(media.get("schema"))) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(frame(&ctx, ctx.t("docs.title"), body))
}
