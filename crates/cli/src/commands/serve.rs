//! `danjiang serve`: the web application over a store; also creates users from the command line
//! (the first admin of a fresh store).

use std::io::BufRead;
use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use danjiang_server::accounts::users::{create_user_audited, NewUser};
use danjiang_server::accounts::Role;
use danjiang_server::AppState;

use super::import::{runtime, DatabaseArg};

/// Serve the web application (pages and JSON API) over a store.
///
/// With `--create-user NAME` it instead creates a user (role from `--role`, password from the
/// environment variable DANJIANG_PASSWORD or the first line of standard input) and exits: the way
/// to make the first admin of a fresh store.
#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DatabaseArg,
    /// Address and port to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Create this user and exit instead of serving.
    #[arg(long, value_name = "NAME")]
    pub create_user: Option<String>,
    /// The role of the user created: viewer, operator or admin.
    #[arg(
        long,
        value_name = "ROLE",
        default_value = "admin",
        requires = "create_user"
    )]
    pub role: String,
}

/// Serves `state` on `listen`, printing the URL when it is listening.
pub async fn serve_until_stopped(state: AppState, listen: SocketAddr) -> anyhow::Result<()> {
    danjiang_server::serve(state, listen, |bound| {
        println!("Serving Danjiang at http://{bound}/  (Ctrl-C stops)");
    })
    .await
    .context("the web server stopped")
}

fn password_from_input() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("DANJIANG_PASSWORD") {
        if !password.is_empty() {
            return Ok(password);
        }
    }
    eprintln!("password (at least 8 characters), then Enter:");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Runs the command.
pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = args.db.open().await?;
        let state = AppState::new(store.clone())?;
        if let Some(username) = &args.create_user {
            let role: Role = args.role.parse()?;
            let password = password_from_input()?;
            let user = create_user_audited(
                &state,
                "system",
                &NewUser {
                    username: username.clone(),
                    display_name: String::new(),
                    password,
                    role,
                },
            )
            .await?;
            println!("created user {} ({})", user.username, user.role.as_str());
            store.close().await;
            return Ok(ExitCode::SUCCESS);
        }
        serve_until_stopped(state, args.listen).await?;
        store.close().await;
        Ok::<ExitCode, anyhow::Error>(ExitCode::SUCCESS)
    })
}
