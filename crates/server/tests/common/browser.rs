//! Browser-test harness: chromedriver driving headless Chromium (Debian's `chromium` and
//! `chromium-driver`, installed by scripts/test.sh), the app served on a free loopback port, and
//! screenshots saved under target/screenshots/.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use danjiang_ops::Store;
use danjiang_server::AppState;
use fantoccini::{Client, ClientBuilder, Locator};

/// A running chromedriver, stopped when dropped.
pub struct Driver {
    child: Child,
    pub port: u16,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The chromedriver program, or `None` (loudly; a failure under `CI=true`) when not installed.
pub fn chromedriver() -> Option<PathBuf> {
    for candidate in ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"] {
        let path = PathBuf::from(candidate);
        if path.exists() {
            return Some(path);
        }
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but chromedriver is missing: apt-get install -y chromium chromium-driver");
    }
    eprintln!("\n!!! SKIPPING browser tests: chromedriver is not installed (apt-get install -y chromium chromium-driver) !!!\n");
    None
}

/// Starts chromedriver on a free port and waits until it listens.
pub async fn start_driver(program: &PathBuf) -> Driver {
    let port = free_port();
    let child = Command::new(program)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let profile =
        std::env::temp_dir().join(format!("danjiang-chromium-{}-{port}", std::process::id()));
    Driver {
        child,
        port,
        profile,
    }
}

/// A headless Chromium session with a fresh profile and a 1280×900 window.
pub async fn browser(driver: &Driver) -> Client {
    let mut capabilities = serde_json::Map::new();
    let mut args = vec![
        "--headless".to_string(),
        "--no-sandbox".to_string(),
        "--disable-gpu".to_string(),
        "--disable-background-networking".to_string(),
        "--disable-component-update".to_string(),
        "--disable-sync".to_string(),
        "--no-first-run".to_string(),
        "--disable-dev-shm-usage".to_string(),
        "--window-size=1280,900".to_string(),
        "--lang=en-US".to_string(),
    ];
    args.push(format!("--user-data-dir={}", driver.profile.display()));
    let mut options = serde_json::json!({ "args": args });
    if std::path::Path::new("/usr/bin/chromium").exists() {
        options["binary"] = serde_json::json!("/usr/bin/chromium");
    }
    capabilities.insert("goog:chromeOptions".to_string(), options);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a Chromium session through chromedriver")
}

/// Serves the application over `store` on a free loopback port in the background.
pub async fn start_server(store: Store) -> SocketAddr {
    let state = AppState::new(store).expect("state");
    let (sender, receiver) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let _ = danjiang_server::serve(state, "127.0.0.1:0".parse().unwrap(), move |bound| {
            let _ = sender.send(bound);
        })
        .await;
    });
    receiver.await.expect("the server starts")
}

/// Saves a PNG of the window as target/screenshots/NAME.png; returns its path.
pub async fn screenshot(client: &Client, name: &str) -> PathBuf {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&folder).expect("create target/screenshots");
    let png = client.screenshot().await.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    let path = folder.join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write the screenshot");
    path
}

/// Types `text` into the field `css` names, replacing what it held.
pub async fn fill(client: &Client, css: &str, text: &str) {
    let field = client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Clicks the element `css` names.
pub async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Waits up to `seconds` for an element `css` names to appear.
pub async fn wait_for_within(
    client: &Client,
    css: &str,
    seconds: u64,
) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(seconds))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

/// Waits up to 20 s for an element `css` names to appear.
pub async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    wait_for_within(client, css, 20).await
}

/// Signs in through the login form the browser is on (the login page, or any page a stranger
/// is sent from).
pub async fn log_in(client: &Client, username: &str, password: &str) {
    fill(client, "input[name=username]", username).await;
    fill(client, "input[name=password]", password).await;
    click(client, "form button[type=submit]").await;
}
