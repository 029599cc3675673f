//! `danjiang demo` and `danjiang serve` as a new user runs them: the demo loads into a fresh
//! SQLite store and serves the web app on a free port; /health answers, a demo login works and
//! the overview page shows the demo's figures; `serve` then serves the same store again, and
//! `serve --create-user` makes an account that can log in.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A served process, killed when dropped so a failing test leaves no server behind.
struct Served {
    child: Child,
    address: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `danjiang ARGS` and waits (at most `limit`) for the line that names the address.
fn start(args: &[&str], limit: Duration) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_danjiang"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("danjiang starts"); // ok: test
    let stdout: ChildStdout = child.stdout.take().expect("piped stdout"); // ok: test
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut printed = String::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            printed.push_str(&line);
            printed.push('\n');
            if let Some(rest) = line.split("http://").nth(1) {
                if line.starts_with("Serving Danjiang") {
                    let address = rest.split('/').next().unwrap_or_default().to_string();
                    let _ = sender.send(Ok(address));
                    // Keep reading so the server never blocks on a full pipe.
                    continue;
                }
            }
        }
        let _ = sender.send(Err(printed));
    });
    let mut served = Served {
        child,
        address: String::new(),
    };
    match receiver.recv_timeout(limit) {
        Ok(Ok(address)) => served.address = address,
        Ok(Err(printed)) => panic!("danjiang {args:?} ended without serving:\n{printed}"),
        Err(_) => panic!("danjiang {args:?} did not serve within {limit:?}"),
    }
    served
}

/// One HTTP/1.1 exchange; returns (status, headers, body).
fn http(address: &str, request: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(address).expect("connect"); // ok: test
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout"); // ok: test
    stream.write_all(request.as_bytes()).expect("send"); // ok: test
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).expect("read"); // ok: test
    let reply = String::from_utf8_lossy(&reply).to_string();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

fn get(address: &str, path: &str, cookie: Option<&str>) -> (u16, String, String) {
    let cookie = cookie.map_or(String::new(), |c| format!("Cookie: {c}\r\n"));
    http(
        address,
        &format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n{cookie}Connection: close\r\n\r\n"),
    )
}

/// The `name=value` of the cookies a reply sets.
fn cookies(head: &str) -> Vec<String> {
    head.lines()
        .filter_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie").then(|| {
                value
                    .trim()
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .to_string()
            })
        })
        .collect()
}

/// Logs in as a visitor does: the login page (its CSRF cookie and hidden field), then its form;
/// returns the session cookie (`name=value`).
fn log_in(address: &str, username: &str, password: &str) -> String {
    let (status, head, page) = get(address, "/login", None);
    assert_eq!(status, 200, "{page}");
    let login_cookie = cookies(&head)
        .into_iter()
        .find(|c| c.starts_with("dj_login_csrf="))
        .unwrap_or_else(|| panic!("no login CSRF cookie:\n{head}"));
    let field = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no csrf field in the login form:\n{page}"));
    let body = format!("username={username}&password={password}&csrf={field}");
    let (status, head, text) = http(
        address,
        &format!(
            "POST /login HTTP/1.1\r\nHost: {address}\r\nCookie: {login_cookie}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(
        (300..400).contains(&status),
        "login as {username}: {status}\n{head}\n{text}"
    );
    cookies(&head)
        .into_iter()
        .find(|c| c.starts_with("dj_session=") && c.len() > "dj_session=".len())
        .unwrap_or_else(|| panic!("no session cookie after login:\n{head}"))
}

fn scratch(name: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("danjiang-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("scratch folder"); // ok: test
    folder
}

#[test]
fn demo_serves_the_web_app_and_serve_serves_the_store_again() {
    let folder = scratch("serve");
    let db = format!("sqlite:{}", folder.join("demo.db").display());
    {
        let demo = start(
            &["demo", "--db", &db, "--listen", "127.0.0.1:0"],
            Duration::from_secs(300),
        );
        let (status, _, body) = get(&demo.address, "/health", None);
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("\"ok\""), "{body}");
        // Without a session the overview sends the visitor to the login page.
        let (status, head, _) = get(&demo.address, "/", None);
        assert!(
            (300..400).contains(&status) && head.contains("/login"),
            "{head}"
        );
        let cookie = log_in(&demo.address, "operator", "danjiang-operator");
        let (status, _, page) = get(&demo.address, "/", Some(&cookie));
        assert_eq!(status, 200, "{page}");
        // The overview of the demo: the plan completion chart and the use split drawn.
        assert!(page.contains("<svg"), "a chart on the overview");
        assert!(page.contains("operator"), "the user is named");
        let (status, _, ledger) = get(
            &demo.address,
            "/api/v1/ledger?by=use&period=all",
            Some(&cookie),
        );
        assert_eq!(status, 200, "{ledger}");
        assert!(ledger.contains("\"domestic\""), "{ledger}");
    }

    // `serve --create-user` adds an account to the store the demo left, then `serve` serves it.
    let created = Command::new(env!("CARGO_BIN_EXE_danjiang"))
        .args([
            "serve",
            "--db",
            &db,
            "--create-user",
            "li.na",
            "--role",
            "viewer",
        ])
        .env("DANJIANG_PASSWORD", "a long password")
        .output()
        .expect("danjiang serve --create-user runs"); // ok: test
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let serve = start(
        &["serve", "--db", &db, "--listen", "127.0.0.1:0"],
        Duration::from_secs(60),
    );
    let cookie = log_in(&serve.address, "li.na", "a+long+password");
    let (status, _, page) = get(&serve.address, "/ledger", Some(&cookie));
    assert_eq!(status, 200, "{page}");
    let (status, _, _) = get(&serve.address, "/admin/users", Some(&cookie));
    assert_eq!(status, 403, "a viewer is refused the admin page");
    drop(serve);
    let _ = std::fs::remove_dir_all(&folder);
}
