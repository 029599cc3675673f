//! User accounts (argon2id password hashes, roles) and login sessions, stored in the operations
//! store's `users` and `sessions` tables.

use std::str::FromStr;

use argon2::password_hash::rand_core::OsRng as HashRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use danjiang_ops::Store;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};
use utoipa::ToSchema;

use crate::error::{Result, ServerError};

/// How long a login session lasts, seconds (a working day and a half).
pub const SESSION_SECONDS: i64 = 12 * 3600;
/// The shortest password accepted, characters.
pub const MIN_PASSWORD_CHARS: usize = 8;

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

/// Seconds since 1970 now.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A UTC time as `YYYY-MM-DD HH:MM:SS`.
pub fn format_time(seconds: i64) -> String {
    danjiang_ops::calendar::format_local_time(seconds)
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

/// Checks a user name: 2 to 32 of a-z, 0-9, `.`, `_`, `-`.
pub fn check_username(username: &str) -> Result<()> {
    let ok = (2..=32).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(ServerError::BadRequest(format!(
            "user name `{username}`: expected 2 to 32 of a-z, 0-9, `.`, `_`, `-`"
        )))
    }
}

/// Checks a new password's length.
pub fn check_password(password: &str) -> Result<()> {
    if password.chars().count() >= MIN_PASSWORD_CHARS {
        Ok(())
    } else {
        Err(ServerError::BadRequest(format!(
            "password: expected at least {MIN_PASSWORD_CHARS} characters"
        )))
    }
}

/// Hashes a password with argon2id (a fresh random salt; the PHC string keeps the parameters).
/// Slow on purpose: call it from a blocking task in servers.
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut HashRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| ServerError::PasswordHash(e.to_string()))
}

/// Whether `password` matches a stored PHC hash.
pub fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

async fn hash_in_background(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ServerError::PasswordHash(e.to_string()))?
}

fn user_of_row(row: &sqlx::any::AnyRow) -> Result<User> {
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

const USER_COLUMNS: &str = "username, display_name, role, active, created_at";

/// A new account to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Login name: 2 to 32 of a-z, 0-9, `.`, `_`, `-`.
    pub username: String,
    /// Name shown on pages (the user name when empty).
    #[serde(default)]
    pub display_name: String,
    /// At least 8 characters.
    pub password: String,
    /// What the user may do.
    pub role: Role,
}

/// Creates a user inside `tx`; fails with `Conflict` when the name is taken.
pub async fn create_user(tx: &mut Transaction<'static, Any>, new: &NewUser) -> Result<User> {
    check_username(&new.username)?;
    check_password(&new.password)?;
    let taken = sqlx::query("SELECT 1 FROM users WHERE username = $1")
        .bind(&new.username)
        .fetch_optional(&mut **tx)
        .await?;
    if taken.is_some() {
        return Err(ServerError::Conflict(format!(
            "user name `{}` is taken",
            new.username
        )));
    }
    let hash = hash_in_background(new.password.clone()).await?;
    let display_name = if new.display_name.trim().is_empty() {
        new.username.clone()
    } else {
        new.display_name.trim().to_string()
    };
    let created_at = now();
    sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, role, active, created_at) \
         VALUES ($1, $2, $3, $4, 1, $5)",
    )
    .bind(&new.username)
    .bind(&display_name)
    .bind(&hash)
    .bind(new.role.as_str())
    .bind(created_at)
    .execute(&mut **tx)
    .await?;
    Ok(User {
        username: new.username.clone(),
        display_name,
        role: new.role,
        active: true,
        created_at: format_time(created_at),
    })
}

/// A change to an account; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    /// New name shown on pages.
    pub display_name: Option<String>,
    /// New role.
    pub role: Option<Role>,
    /// Enable or disable logging in (disabling ends the user's sessions).
    pub active: Option<bool>,
    /// New password (at least 8 characters; ends the user's sessions).
    pub password: Option<String>,
}

/// Finds a user by name inside `tx`.
pub async fn find_user(tx: &mut Transaction<'static, Any>, username: &str) -> Result<User> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
    ))
    .bind(username)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| ServerError::NotFound(format!("user `{username}`")))?;
    user_of_row(&row)
}

/// Applies a change to a user inside `tx`; returns the user before and after.
pub async fn change_user(
    tx: &mut Transaction<'static, Any>,
    username: &str,
    change: &UserChange,
) -> Result<(User, User)> {
    let before = find_user(tx, username).await?;
    if let Some(name) = &change.display_name {
        if name.trim().is_empty() {
            return Err(ServerError::BadRequest(
                "display_name: expected some text".to_string(),
            ));
        }
        sqlx::query("UPDATE users SET display_name = $1 WHERE username = $2")
            .bind(name.trim())
            .bind(username)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(role) = change.role {
        sqlx::query("UPDATE users SET role = $1 WHERE username = $2")
            .bind(role.as_str())
            .bind(username)
            .execute(&mut **tx)
            .await?;
    }
    let mut end_sessions = false;
    if let Some(active) = change.active {
        sqlx::query("UPDATE users SET active = $1 WHERE username = $2")
            .bind(i64::from(active))
            .bind(username)
            .execute(&mut **tx)
            .await?;
        end_sessions |= !active;
    }
    if let Some(password) = &change.password {
        check_password(password)?;
        let hash = hash_in_background(password.clone()).await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
            .bind(&hash)
            .bind(username)
            .execute(&mut **tx)
            .await?;
        end_sessions = true;
    }
    if end_sessions {
        sqlx::query("DELETE FROM sessions WHERE username = $1")
            .bind(username)
            .execute(&mut **tx)
            .await?;
    }
    let after = find_user(tx, username).await?;
    Ok((before, after))
}

/// One page of users, by name, and how many there are.
pub async fn list_users(store: &Store, limit: i64, offset: i64) -> Result<(Vec<User>, i64)> {
    let rows = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users ORDER BY username LIMIT $1 OFFSET $2"
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(store.pool())
    .await?;
    let total: i64 = sqlx::query("SELECT COUNT(*) FROM users")
        .fetch_one(store.pool())
        .await?
        .try_get(0)?;
    Ok((rows.iter().map(user_of_row).collect::<Result<_>>()?, total))
}

/// Checks a login; the user when the name and password match an active account.
pub async fn check_login(store: &Store, username: &str, password: &str) -> Result<User> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1"
    ))
    .bind(username)
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else {
        // Hash anyway so a missing name takes as long as a wrong password.
        let _ = hash_in_background(password.to_string()).await;
        return Err(ServerError::BadLogin);
    };
    let user = user_of_row(&row)?;
    let stored: String = row.try_get("password_hash")?;
    let password = password.to_string();
    let matches = tokio::task::spawn_blocking(move || password_matches(&password, &stored))
        .await
        .unwrap_or(false);
    if matches && user.active {
        Ok(user)
    } else {
        Err(ServerError::BadLogin)
    }
}

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
    fn passwords_hash_and_verify() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches("correct horse", &hash));
        assert!(!password_matches("wrong horse", &hash));
        assert!(!password_matches("correct horse", "not a hash"));
    }

    #[test]
    fn names_and_roles_are_checked() {
        assert!(check_username("op.li_2").is_ok());
        assert!(check_username("A").is_err());
        assert!(check_username("has space").is_err());
        assert!(check_password("short").is_err());
        assert_eq!("operator".parse::<Role>().unwrap(), Role::Operator);
        assert!("root".parse::<Role>().is_err());
        assert!(Role::Viewer < Role::Operator && Role::Operator < Role::Admin);
        assert_eq!(random_token().len(), 64);
        assert_ne!(random_token(), random_token());
    }

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
