//! Who a session belongs to: roles, users as shown, and login sessions in the store's `sessions`
//! table (only each token's digest is kept).

use std::str::FromStr;

use danjiang_ops::Store;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};
use utoipa::ToSchema;

use crate::web::dates::{format_time, now};
use crate::web::error::{Result, ServerError};

/// How long a login session lasts, seconds (a working day and a half).
pub const SESSION_SECONDS: i64 = 12 * 3600;

/// The most live sessions one user keeps; a new login beyond them ends the oldest. A new login
/// does not end the user's other sessions: one account may be used from a browser and from
/// scripts at once (the load tests log one account in sixteen times), and logging out ends
/// only the session logged out. The bound keeps repeated logins from growing the table.
pub const MOST_SESSIONS_PER_USER: i64 = 32;

/// What a user may do. Each role may do everything the roles before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads every page and report; changes nothing.
    Viewer,
    /// Also changes operating data (delivery plans).
    Operator,
    /// Also manages users and reads the audit log.
    Admin,
}

impl Role {
    /// The role's name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    /// The role's rank: 0 viewer, 1 operator, 2 admin.
    pub fn rank(self) -> u8 {
        match self {
            Role::Viewer => 0,
            Role::Operator => 1,
            Role::Admin => 2,
        }
    }

    /// The role of a rank (ranks above 2 are admin).
    pub fn of_rank(rank: u8) -> Role {
        match rank {
            0 => Role::Viewer,
            1 => Role::Operator,
            _ => Role::Admin,
        }
    }

    /// Every role, lowest first.
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Operator, Role::Admin];
}

impl FromStr for Role {
    type Err = ServerError;
    fn from_str(text: &str) -> Result<Role> {
        match text {
            "viewer" => Ok(Role::Viewer),
            "operator" => Ok(Role::Operator),
            "admin" => Ok(Role::Admin),
            _ => Err(ServerError::BadRequest(format!(
                "unknown role `{text}`; expected viewer, operator or admin"
            ))),
        }
    }
}

/// A user account as shown (never with its password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct User {
    /// Login name: 2 to 32 of a-z, 0-9, `.`, `_`, `-`.
    pub username: String,
    /// Name shown on pages.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// Whether the user may log in.
    pub active: bool,
    /// When the account was created, UTC `YYYY-MM-DD HH:MM:SS`.
    pub created_at: String,
}

/// A logged-in user of a request, with the session's CSRF token.
#[derive(Debug, Clone)]
pub struct SessionUser {
    /// The user.
    pub user: User,
    /// The session's CSRF token: forms carry it in field `csrf`, API calls in `X-CSRF-Token`.
    pub csrf: String,
}

/// 32 random bytes from the operating system as hex: session and CSRF tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a session token as hex: what the `sessions` table keeps, so a copy of the
/// database (a backup, a read-only account) holds no token that would log anyone in.
pub fn token_digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A user of a row holding [`USER_COLUMNS`].
pub fn user_of_row(row: &sqlx::any::AnyRow) -> Result<User> {
    let role: String = row.try_get("role")?;
    let active: i64 = row.try_get("active")?;
    Ok(User {
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: role.parse()?,
        active: active != 0,
        created_at: format_time(row.try_get("created_at")?),
    })
}

/// The `users` columns a [`User`] is read from.
pub const USER_COLUMNS: &str = "username, display_name, role, active, created_at";

/// Starts a session for `username` inside `tx`; returns (session token, CSRF token). Only the
/// token's digest is stored (see [`token_digest`]).
pub async fn start_session(
    tx: &mut Transaction<'static, Any>,
    username: &str,
) -> Result<(String, String)> {
    let token = random_token();
    let csrf = random_token();
    let at = now();
    // Old sessions are cleared as new ones start, so the table does not grow without bound.
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(at)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO sessions (token, username, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_digest(&token))
    .bind(username)
    .bind(&csrf)
    .bind(at)
    .bind(at + SESSION_SECONDS)
    .execute(&mut **tx)
    .await?;
    // The new session always stays: sessions started in the same second tie on `created_at`,
    // and the order among them would otherwise be the tokens' (random) order.
    sqlx::query(
        "DELETE FROM sessions WHERE username = $1 AND token <> $3 AND token NOT IN \
         (SELECT token FROM sessions WHERE username = $1 AND token <> $3 \
          ORDER BY created_at DESC, token LIMIT $2)",
    )
    .bind(username)
    .bind(MOST_SESSIONS_PER_USER - 1)
    .bind(token_digest(&token))
    .execute(&mut **tx)
    .await?;
    Ok((token, csrf))
}

/// The user of a live session token, if the session exists, has not expired and the user is active.
pub async fn session_user(store: &Store, token: &str) -> Result<Option<SessionUser>> {
    let row = sqlx::query(
        "SELECT u.username, u.display_name, u.role, u.active, u.created_at, s.csrf_token \
         FROM sessions s JOIN users u ON u.username = s.username \
         WHERE s.token = $1 AND s.expires_at > $2 AND u.active = 1",
    )
    .bind(token_digest(token))
    .bind(now())
    .fetch_optional(store.pool())
    .await?;
    match row {
        Some(row) => Ok(Some(SessionUser {
            user: user_of_row(&row)?,
            csrf: row.try_get("csrf_token")?,
        })),
        None => Ok(None),
    }
}

/// Ends a session inside `tx`.
pub async fn end_session(tx: &mut Transaction<'static, Any>, token: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token = $1")
        .bind(token_digest(token))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_digest_is_sha256() {
        // The SHA-256 test vector of "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(
            token_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let token = random_token();
        assert_ne!(token_digest(&token), token);
        assert_eq!(token_digest(&token).len(), 64);
    }
}
