//! The served application under load and a crash: 16 writers of two kinds (patrol records and
//! water samples) and 4 readers against `danjiang demo` on SQLite, then a kill -9 in the middle of
//! the writing and a restart with `danjiang serve`: no answer is a 5xx, none takes longer than a
//! bound (a freeze), and every acknowledged write is in the store once with its audit entry.
//!
//! `DANJIANG_FAULT_SECONDS` sets how long the writers write before the kill (default 8).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

const WRITERS_PER_KIND: usize = 8;
const READERS: usize = 4;
/// No answer may take longer: a freeze shows as one that does.
const ANSWER_BOUND: Duration = Duration::from_secs(15);

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

fn start(args: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_danjiang"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("danjiang starts"); // ok: test
    let stdout = child.stdout.take().expect("piped stdout"); // ok: test
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("Serving Danjiang") {
                if let Some(address) = rest.split("http://").nth(1) {
                    let _ = sender.send(address.split('/').next().unwrap_or_default().to_string());
                }
            }
        }
    });
    let address = receiver
        .recv_timeout(Duration::from_secs(300))
        .unwrap_or_else(|_| panic!("danjiang {args:?} did not serve"));
    Served { child, address }
}

/// One exchange; `None` when the connection fails (the server is gone).
fn exchange(address: &str, request: &str) -> Option<(u16, Vec<String>, String)> {
    let mut stream = TcpStream::connect(address).ok()?;
    stream.set_read_timeout(Some(ANSWER_BOUND)).ok()?;
    stream.write_all(request.as_bytes()).ok()?;
    let mut reply = Vec::new();
    match stream.read_to_end(&mut reply) {
        Ok(_) => {}
        Err(e)
            if e.kind() == std::io::ErrorKind::WouldBlock
                || e.kind() == std::io::ErrorKind::TimedOut =>
        {
            panic!(
                "no answer within {ANSWER_BOUND:?} (a freeze): {}",
                request.lines().next().unwrap_or("")
            )
        }
        Err(_) => return None,
    }
    let reply = String::from_utf8_lossy(&reply).to_string();
    let (head, body) = reply.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((
        status,
        head.lines().map(str::to_string).collect(),
        body.to_string(),
    ))
}

#[derive(Clone)]
struct Session {
    cookie: String,
    csrf: String,
}

fn request(
    address: &str,
    method: &str,
    path: &str,
    session: Option<&Session>,
    body: Option<&Value>,
) -> Option<(u16, String)> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    if let Some(session) = session {
        head.push_str(&format!(
            "Cookie: {}\r\nX-CSRF-Token: {}\r\n",
            session.cookie, session.csrf
        ));
    }
    let body = body.map(Value::to_string).unwrap_or_default();
    if !body.is_empty() {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    let (status, _, text) = exchange(address, &format!("{head}\r\n{body}"))?;
    assert!(status < 500, "{method} {path}: {status} {text}");
    Some((status, text))
}

fn log_in(address: &str, username: &str, password: &str) -> Session {
    let body = json!({"username": username, "password": password}).to_string();
    let (status, head, text) = exchange(
        address,
        &format!(
            "POST /api/v1/session HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .expect("the server answers a login"); // ok: test
    assert_eq!(status, 200, "login {username}: {text}");
    let cookie = head
        .iter()
        .filter_map(|l| l.split_once(':'))
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, value)| value.trim().split(';').next())
        .find(|c| c.starts_with("dj_session="))
        .expect("a session cookie") // ok: test
        .to_string();
    let reply: Value = serde_json::from_str(&text).expect("JSON"); // ok: test
    Session {
        cookie,
        csrf: reply["csrf_token"]
            .as_str()
            .expect("a csrf token")
            .to_string(), // ok: test
    }
}

/// What the writers had acknowledged: patrol record ids, and sample (time, value) pairs.
#[derive(Default)]
struct Acknowledged {
    records: Vec<String>,
    samples: Vec<(String, f64)>,
    writes: usize,
}

fn minute(writer: usize, count: u32) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2022, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a date"); // ok: test
    let time = start + chrono::Duration::minutes(writer as i64 * 100_000 + i64::from(count));
    time.format("%Y-%m-%d %H:%M").to_string()
}

fn seconds() -> Duration {
    Duration::from_secs(
        std::env::var("DANJIANG_FAULT_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(8),
    )
}

#[test]
fn writes_acknowledged_before_a_kill_are_all_there_after_the_restart() {
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fault");
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("scratch folder"); // ok: test
    let db = format!("sqlite:{}", folder.join("fault.db").display());
    let mut demo = start(&["demo", "--db", &db, "--listen", "127.0.0.1:0"]);
    let address = demo.address.clone();
    let operator = log_in(&address, "operator", "danjiang-operator");
    let (_, due) = request(
        &address,
        "GET",
        "/api/v1/patrols/due?limit=1",
        Some(&operator),
        None,
    )
    .expect("due list");
    let due: Value = serde_json::from_str(&due).expect("JSON"); // ok: test
    let task = &due["items"][0];
    let (plan, asset) = (
        task["plan"].as_str().expect("plan").to_string(),
        task["asset"].as_str().expect("asset").to_string(),
    ); // ok: test
    let (_, plans) = request(
        &address,
        "GET",
        "/api/v1/patrols/plans",
        Some(&operator),
        None,
    )
    .expect("plans");
    let plans: Value = serde_json::from_str(&plans).expect("JSON"); // ok: test
    let checklist: serde_json::Map<String, Value> = plans["plans"]["plans"]
        .as_array()
        .and_then(|all| all.iter().find(|p| p["id"] == plan.as_str()))
        .and_then(|p| p["checklist"].as_array())
        .map(|questions| {
            questions
                .iter()
                .filter_map(Value::as_str)
                .map(|q| (q.to_string(), json!(true)))
                .collect()
        })
        .unwrap_or_default();

    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let mut threads = Vec::new();
    for writer in 0..2 * WRITERS_PER_KIND {
        let (address, session, stop, acknowledged) = (
            address.clone(),
            log_in(&address, "operator", "danjiang-operator"),
            stop.clone(),
            acknowledged.clone(),
        );
        let (plan, asset, checklist) = (plan.clone(), asset.clone(), checklist.clone());
        threads.push(std::thread::spawn(move || {
            let mut count = 0;
            while !stop.load(Ordering::Relaxed) {
                count += 1;
                let time = minute(writer, count);
                if writer % 2 == 0 {
                    let record = json!({"plan": plan, "asset": asset, "time": time,
                        "inspector": format!("writer-{writer}"), "answers": checklist});
                    let Some((status, text)) = request(&address, "POST", "/api/v1/patrols/records", Some(&session), Some(&record)) else { break };
                    assert_eq!(status, 201, "{text}");
                    let id = serde_json::from_str::<Value>(&text).ok().and_then(|v| v["id"].as_i64().map(|i| i.to_string()).or_else(|| v["id"].as_str().map(str::to_string))).expect("the record's id"); // ok: test
                    let mut done = acknowledged.lock().expect("lock"); // ok: test
                    done.records.push(id);
                    done.writes += 1;
                } else {
                    let value = 0.01 + f64::from(count % 50) / 1000.0;
                    let sample = json!({"site": "MS-OUT17", "time": time, "item": "TP", "value": value.to_string(), "unit": "mg/L"});
                    let Some((status, text)) = request(&address, "POST", "/api/v1/quality/samples", Some(&session), Some(&sample)) else { break };
                    assert!((200..300).contains(&status), "{status} {text}");
                    let mut done = acknowledged.lock().expect("lock"); // ok: test
                    done.samples.push((time, value));
                    done.writes += 1;
                }
            }
        }));
    }
    for _ in 0..READERS {
        let (address, session, stop) = (
            address.clone(),
            log_in(&address, "viewer", "danjiang-viewer"),
            stop.clone(),
        );
        threads.push(std::thread::spawn(move || {
            let paths = [
                "/api/v1/overview",
                "/api/v1/patrols/records?limit=20",
                "/api/v1/quality/samples?limit=20",
            ];
            let mut turn = 0;
            while !stop.load(Ordering::Relaxed) {
                turn += 1;
                if request(
                    &address,
                    "GET",
                    paths[turn % paths.len()],
                    Some(&session),
                    None,
                )
                .is_none()
                {
                    break;
                }
            }
        }));
    }
    std::thread::sleep(seconds());
    // SIGKILL in the middle of the writing: no shutdown, no flush.
    demo.child.kill().expect("kill -9"); // ok: test
    demo.child.wait().expect("the server ends"); // ok: test
    stop.store(true, Ordering::Relaxed);
    for thread in threads {
        thread.join().expect("a client ends without a failure"); // ok: test
    }
    let done = acknowledged.lock().expect("lock"); // ok: test
    assert!(
        done.writes >= 2 * WRITERS_PER_KIND,
        "every writer wrote: {} writes",
        done.writes
    );
    eprintln!("{} writes acknowledged before the kill", done.writes);

    // The restarted server serves the same store; every acknowledged write is in it once.
    let served = start(&["serve", "--db", &db, "--listen", "127.0.0.1:0"]);
    let viewer = log_in(&served.address, "viewer", "danjiang-viewer");
    assert!(request(
        &served.address,
        "GET",
        "/api/v1/overview",
        Some(&viewer),
        None
    )
    .is_some());
    drop(served);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime"); // ok: test
    runtime.block_on(async {
        let store = danjiang_ops::Store::open(&db).await.expect("the store opens"); // ok: test
        let count = |sql: String| {
            let store = &store;
            async move {
                use sqlx::Row;
                sqlx::query(&sql).fetch_one(store.pool()).await.and_then(|row| row.try_get::<i64, _>(0)).expect(&sql) // ok: test
            }
        };
        for id in &done.records {
            assert_eq!(count(format!("SELECT COUNT(*) FROM patrol_records WHERE id = {id}")).await, 1, "record {id}");
            assert_eq!(count(format!("SELECT COUNT(*) FROM audit_log WHERE entity = 'patrol_record' AND action = 'create' AND entity_id = '{id}'")).await, 1, "audit of record {id}");
        }
        for (time, value) in &done.samples {
            let at = format!("{}:00", time.replace(' ', "T"));
            assert_eq!(count(format!("SELECT COUNT(*) FROM samples WHERE site_code = 'MS-OUT17' AND item = 'TP' AND sampled_at = '{at}' AND ABS(value - {value}) < 1e-9")).await, 1, "sample at {time}");
            assert_eq!(count(format!("SELECT COUNT(*) FROM audit_log WHERE entity = 'sample' AND entity_id = 'MS-OUT17/{at}/TP'")).await, 1, "audit of the sample at {time}");
        }
        store.close().await;
    });
    let _ = std::fs::remove_dir_all(&folder);
}
