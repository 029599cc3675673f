//! User accounts in the store's `users` table (argon2id password hashes), and every change to
//! them and every login and logout written with its audit entry in one transaction.

use argon2::password_hash::rand_core::OsRng as HashRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use danjiang_ops::Store;
use serde::Deserialize;
use serde_json::json;
use sqlx::{Any, Row, Transaction};
use utoipa::ToSchema;

use super::throttle::{self, Scope};
use crate::web::audit;
use crate::web::dates::{format_time, now};
use crate::web::error::{Result, ServerError};
use crate::web::session::{end_session, start_session, user_of_row, Role, User, USER_COLUMNS};
use crate::web::state::AppState;

/// The shortest password accepted, characters.
pub const MIN_PASSWORD_CHARS: usize = 8;

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

/// Creates a user and its audit entry in one transaction.
pub async fn create_user_audited(
    state: &AppState,
    actor: &str,
    new: &NewUser,
) -> Result<User, ServerError> {
    let mut tx = state.store.begin_write().await?;
    let user = create_user(&mut tx, new).await?;
    let after = serde_json::to_value(&user).unwrap_or_default();
    audit::record(
        &mut tx,
        actor,
        "create",
        "user",
        &user.username,
        None,
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Changes a user and writes its audit entry in one transaction (never records passwords).
pub async fn change_user_audited(
    state: &AppState,
    actor: &str,
    username: &str,
    change: &UserChange,
) -> Result<User, ServerError> {
    let mut tx = state.store.begin_write().await?;
    let (before, after) = change_user(&mut tx, username, change).await?;
    let mut after_json = serde_json::to_value(&after).unwrap_or_default();
    if change.password.is_some() {
        after_json["password"] = json!("changed");
    }
    audit::record(
        &mut tx,
        actor,
        "update",
        "user",
        username,
        serde_json::to_value(&before).ok().as_ref(),
        Some(&after_json),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Logs a user in from `address`: in the turn of the name and address, refuses a locked one,
/// checks the password, then starts a session, restarts the account's failure count and audits
/// the login in one transaction; returns the session token and CSRF token. A failure is counted
/// and audited with the name tried and the address, in one transaction.
pub async fn log_in_audited(
    state: &AppState,
    username: &str,
    password: &str,
    address: Option<&str>,
) -> Result<(User, String, String), ServerError> {
    let _turn = throttle::turn(username, address).await;
    throttle::check(&state.store, username, address, now()).await?;
    // The password is checked with no transaction open: argon2 takes its time on purpose.
    let user = match check_login(&state.store, username, password).await {
        Ok(user) => user,
        Err(ServerError::BadLogin) => {
            record_failed_login(state, username, address).await?;
            return Err(ServerError::BadLogin);
        }
        Err(other) => return Err(other),
    };
    let mut tx = state.store.begin_write().await?;
    throttle::forget_account(&mut tx, &user.username).await?;
    let (token, csrf) = start_session(&mut tx, &user.username).await?;
    audit::record(
        &mut tx,
        &user.username,
        "login",
        "session",
        &user.username,
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok((user, token, csrf))
}

/// Counts and audits a failed login, by `anonymous` (the name tried is not who tried it).
async fn record_failed_login(
    state: &AppState,
    username: &str,
    address: Option<&str>,
) -> Result<(), ServerError> {
    let tried = throttle::subject_of_name(username);
    let mut tx = state.store.begin_write().await?;
    throttle::record_failure(&mut tx, username, address, now()).await?;
    audit::record(
        &mut tx,
        "anonymous",
        "login_failed",
        "session",
        &tried,
        None,
        Some(&json!({ "username": tried, "address": address })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Lifts the lockout of an account name or an address, with its audit entry, in one
/// transaction; `NotFound` when nothing was counted for it.
pub async fn lift_lockout_audited(
    state: &AppState,
    actor: &str,
    scope: Scope,
    subject: &str,
) -> Result<(), ServerError> {
    let mut tx = state.store.begin_write().await?;
    let forgotten = throttle::lift(&mut tx, scope, subject).await?;
    if forgotten == 0 {
        return Err(ServerError::NotFound(format!(
            "failed logins of {} `{subject}`",
            scope.as_str()
        )));
    }
    audit::record(
        &mut tx,
        actor,
        "lift_lockout",
        "login",
        &format!("{}:{subject}", scope.as_str()),
        Some(&json!({ "scope": scope, "subject": subject, "failures": forgotten })),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends a session and audits the logout, in one transaction.
pub async fn log_out_audited(
    state: &AppState,
    username: &str,
    token: &str,
) -> Result<(), ServerError> {
    let mut tx = state.store.begin_write().await?;
    end_session(&mut tx, token).await?;
    audit::record(&mut tx, username, "logout", "session", username, None, None).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::session::random_token;

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
}
