//! The Xuchang demo in a store: the register and seeded operating history of examples/xuchang/,
//! and demo users (one per role) so the web app can be tried at once.

use std::path::Path;

use danjiang_ops::{demo as history, import_bytes, ImportKind, Progress, Store};
use serde_json::json;

use crate::accounts::users::{self, NewUser};
use crate::web::audit;
use crate::web::error::Result;
use crate::web::session::Role;

const COUNTIES: &str = include_str!("../../../examples/xuchang/counties.csv");
const ASSETS: &str = include_str!("../../../examples/xuchang/assets.csv");
const GEOMETRY: &str = include_str!("../../../examples/xuchang/geometry.geojson");

/// The demo users: (user name, display name, role, password). The passwords are printed by
/// `danjiang demo`; they protect nothing but a demo store.
pub const DEMO_USERS: [(&str, &str, Role, &str); 3] = [
    (
        "admin",
        "演示管理员 Demo admin",
        Role::Admin,
        "danjiang-admin",
    ),
    (
        "operator",
        "调度员 Demo operator",
        Role::Operator,
        "danjiang-operator",
    ),
    (
        "viewer",
        "查看员 Demo viewer",
        Role::Viewer,
        "danjiang-viewer",
    ),
];

/// Empties the store's operating tables and loads the demo register and history; returns
/// `(file, rows)` per imported file.
pub async fn load(store: &Store, progress: &dyn Progress) -> Result<Vec<(String, usize)>> {
    store.clear().await?;
    let generated = history::generate(history::SEED);
    let files: [(ImportKind, &str, &str); 8] = [
        (
            ImportKind::Counties,
            "examples/xuchang/counties.csv",
            COUNTIES,
        ),
        (ImportKind::Assets, "examples/xuchang/assets.csv", ASSETS),
        (
            ImportKind::Geometry,
            "examples/xuchang/geometry.geojson",
            GEOMETRY,
        ),
        (
            ImportKind::Meters,
            "(generated) meters.csv",
            &generated.meters,
        ),
        (ImportKind::Uses, "(generated) uses.csv", &generated.uses),
        (
            ImportKind::Replacements,
            "(generated) replacements.csv",
            &generated.replacements,
        ),
        (
            ImportKind::Readings,
            "(generated) readings.csv",
            &generated.readings,
        ),
        (ImportKind::Plans, "(generated) plans.csv", &generated.plans),
    ];
    let mut counts = Vec::new();
    for (kind, name, text) in files {
        let summary = import_bytes(store, kind, Path::new(name), text.as_bytes(), progress).await?;
        counts.push((name.to_string(), summary.rows));
    }
    // The field history (monitoring samples, patrol plans, records and defects) of danjiang-ops.
    let field = history::load_field_history(store, history::FIELD_SEED).await?;
    counts.push(("(generated) field history".to_string(), field.samples));
    // The open main canal the outlets draw from, for the canal pages (read and built once).
    let canal = crate::canal::demo::demo_canal()?;
    counts.push((
        crate::canal::demo::DEMO_CANAL_FILE.to_string(),
        canal.model.nodes.len() + canal.model.links.len(),
    ));
    Ok(counts)
}

/// Creates (or resets) the demo users, each with an audit entry by `system`.
pub async fn create_users(store: &Store) -> Result<()> {
    for (username, display_name, role, password) in DEMO_USERS {
        let mut tx = store.begin_write().await?;
        let before = match users::find_user(&mut tx, username).await {
            Ok(user) => Some(user),
            Err(crate::web::error::ServerError::NotFound(_)) => None,
            Err(other) => return Err(other),
        };
        if before.is_some() {
            sqlx::query("DELETE FROM users WHERE username = $1")
                .bind(username)
                .execute(&mut **tx)
                .await?;
        }
        let user = users::create_user(
            &mut tx,
            &NewUser {
                username: username.to_string(),
                display_name: display_name.to_string(),
                password: password.to_string(),
                role,
            },
        )
        .await?;
        audit::record(
            &mut tx,
            "system",
            if before.is_some() { "update" } else { "create" },
            "user",
            username,
            before.and_then(|b| serde_json::to_value(b).ok()).as_ref(),
            Some(&json!(user)),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}
