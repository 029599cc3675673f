//! The security headers on every answer (pages, API, static files, errors): what the browser may
//! load and run, no framing, no type guessing, no full URL sent to other sites; and
//! `connection: close` on a refusal that leaves the request's body unread.

use axum::body::HttpBody;
use axum::extract::Request;
use axum::http::header::{CONNECTION, CONTENT_LENGTH, TRANSFER_ENCODING};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// The content security policy. Scripts only from this site (`app.js`, `map.js`: no page has an
/// inline script or handler); styles also inline, because the operations pages' tabs bring a
/// `<style>` element and the drawn SVG charts and maps style themselves; images from this site and
/// `data:` URLs; fetches (the map's) to this site; forms post only here; no plugins, no `<base>`,
/// and no framing by any page, ours or another site's.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Middleware (`axum::middleware::map_response`): adds the security headers to an answer,
/// keeping any a handler set itself.
pub async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = [
        (CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_VALUE),
        (X_FRAME_OPTIONS, "DENY"),
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in set {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

/// Middleware: a request with a body refused before its body was read (no session, a role too
/// low, a body over the limit) is answered with `connection: close`, so the client knows the
/// connection ends with this answer instead of finding it dropped under its next request.
pub async fn close_after_refused_body(request: Request, next: Next) -> Response {
    let has_body = !request.body().is_end_stream()
        || request.headers().contains_key(TRANSFER_ENCODING)
        || request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0");
    let mut response = next.run(request).await;
    let refused = matches!(
        response.status(),
        StatusCode::UNAUTHORIZED
            | StatusCode::FORBIDDEN
            | StatusCode::PAYLOAD_TOO_LARGE
            | StatusCode::TOO_MANY_REQUESTS
    );
    if has_body && refused {
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
