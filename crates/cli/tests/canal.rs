//! `danjiang canal run|spill`: the series of a run at every report step, and bad input (in the
//! file or on the command line) refused with exit status 1 and a message saying where, never a
//! panic or a hang.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest a command of these tests may take before it counts as hung.
const HANG: Duration = Duration::from_secs(120);

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/xuchang")
        .join(name)
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("dj-canal-{}-{name}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs danjiang with `args`: (exit status, stdout, stderr); fails the test if it hangs.
fn danjiang(args: &[&str]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_danjiang"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > HANG {
            child.kill().ok();
            panic!("danjiang {} hung", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

fn text(path: &Path) -> String {
    path.to_string_lossy().to_string()
}

/// A two-pool canal with a check gate, as the canal crate's own error tests use.
const GOOD: &str = "[OPTIONS]
FLOW_UNITS CMS
FLOW_ROUTING DYNWAVE
END_TIME 01:00:00
REPORT_STEP 00:10:00
[JUNCTIONS]
J0 101 10 0
J1 100.5 10 0
J2 100.5 10 0
[OUTFALLS]
OUT 100 FIXED 104
[CONDUITS]
C1 J0 J1 5000 0.015 0 0
C2 J2 OUT 5000 0.015 0 0
[ORIFICES]
G1 J1 J2 SIDE 0 0.6 NO 0
[XSECTIONS]
C1 TRAPEZOIDAL 8 15 2 2
C2 TRAPEZOIDAL 8 15 2 2
G1 RECT_CLOSED 4 10
[INFLOWS]
J0 FLOW \"\" FLOW 1.0 1.0 30
";

#[test]
fn a_run_writes_every_node_and_link_at_every_report_step() {
    let dir = scratch("run");
    let (csv, json) = (dir.join("run.csv"), dir.join("run.json"));
    let canal = example("canal.inp");
    let (code, stdout, stderr) = danjiang(&[
        "canal",
        "run",
        &text(&canal),
        "--csv",
        &text(&csv),
        "--json",
        &text(&json),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // The file's own figures: 24 h reported every 15 min; its element counts.
    let source = std::fs::read_to_string(&canal).unwrap();
    let count = |section: &str| {
        let start = source.find(section).unwrap() + section.len();
        let end = source[start..]
            .find("\n[")
            .map_or(source.len(), |e| start + e);
        source[start..end]
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with(';'))
            .count()
    };
    let nodes = count("[JUNCTIONS]") + count("[OUTFALLS]");
    let links = count("[CONDUITS]") + count("[ORIFICES]") + count("[OUTLETS]");
    let rows = std::fs::read_to_string(&csv).unwrap().lines().count();
    assert_eq!(rows, 1 + 96 * (nodes + links));
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let times = document["times_s"].as_array().unwrap();
    assert_eq!(times.len(), 96);
    assert_eq!(times[0].as_f64(), Some(900.0));
    assert_eq!(document["depth"][95].as_array().unwrap().len(), nodes);
    assert_eq!(document["flow"][95].as_array().unwrap().len(), links);
    std::fs::remove_dir_all(&dir).ok();
}

/// Writes `contents` as bad.inp in a scratch folder and runs `canal ARGS bad.inp MORE...`.
fn refused(name: &str, contents: &str, command: &str, more: &[&str]) -> String {
    let dir = scratch(name);
    let file = dir.join("bad.inp");
    std::fs::write(&file, contents).unwrap();
    let mut args = vec!["canal", command];
    let path = text(&file);
    args.push(&path);
    args.extend_from_slice(more);
    let (code, stdout, stderr) = danjiang(&args);
    assert_eq!(code, 1, "danjiang {}: {stdout}{stderr}", args.join(" "));
    assert!(!stderr.contains("panicked"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
    stderr
}

fn assert_located(stderr: &str, line: usize, words: &str) {
    assert!(stderr.contains(&format!("bad.inp:{line}:")), "{stderr}");
    assert!(stderr.contains(words), "{stderr}");
}

#[test]
fn the_good_canal_runs() {
    let dir = scratch("good");
    let file = dir.join("good.inp");
    std::fs::write(&file, GOOD).unwrap();
    let (code, stdout, stderr) = danjiang(&["canal", "run", &text(&file)]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_negative_width_is_refused_with_its_line() {
    let bad = GOOD.replace("C2 TRAPEZOIDAL 8 15 2 2", "C2 TRAPEZOIDAL 8 -15 2 2");
    let stderr = refused("width", &bad, "run", &[]);
    assert_located(&stderr, 19, "positive bottom width");
}

#[test]
fn a_gate_with_no_downstream_link_is_refused_with_its_line() {
    let bad = GOOD.replace("C2 J2 OUT 5000 0.015 0 0", "C2 J1 OUT 5000 0.015 0 0");
    let stderr = refused("gate", &bad, "run", &[]);
    assert_located(&stderr, 16, "gate 'G1' has no downstream link");
}

#[test]
fn a_transect_that_does_not_close_is_refused_with_its_line() {
    let bad = GOOD.replace("C2 TRAPEZOIDAL 8 15 2 2", "C2 IRREGULAR OPEN")
        + "[TRANSECTS]\nNC 0.015 0.015 0.015\nX1 OPEN 4 0 0 0 0 0 0 0 0\nGR 100 0 95 10 95 20 94 30\n";
    let stderr = refused("transect", &bad, "run", &[]);
    assert_located(&stderr, 25, "does not close");
}

#[test]
fn a_field_that_is_not_a_number_is_refused_with_its_line() {
    let bad = GOOD.replace("C1 J0 J1 5000", "C1 J0 J1 5km");
    let stderr = refused("number", &bad, "spill", &["--at-km", "2", "--mass-kg", "5"]);
    assert_located(&stderr, 13, "expected a number for the length");
}

#[test]
fn a_spill_outside_the_canal_is_refused() {
    let stderr = refused(
        "outside",
        GOOD,
        "spill",
        &["--at-km", "12", "--mass-kg", "5"],
    );
    assert!(stderr.contains("outside the canal"), "{stderr}");
    let stderr = refused(
        "no-node",
        GOOD,
        "spill",
        &["--at-node", "J9", "--mass-kg", "5"],
    );
    assert!(stderr.contains("'J9'"), "{stderr}");
}

#[test]
fn bad_options_are_refused_by_name() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["--at-km", "2", "--mass-kg", "5", "--duration", "soon"],
            "--duration",
        ),
        (
            &["--at-km", "2", "--mass-kg", "5", "--dispersion", "lots"],
            "--dispersion",
        ),
        (
            &["--at-km", "2", "--mass-kg", "5", "--close", "G1"],
            "--close",
        ),
        (&["--at-km", "2", "--mass-kg", "5", "--decay=-1"], "--decay"),
        (
            &["--at-km", "2", "--mass-kg", "5", "--threshold=-1"],
            "threshold -1",
        ),
        (
            &["--at-km", "2", "--mass-kg", "5", "--start", "3:00"],
            "spill start",
        ),
    ];
    for (index, (options, named)) in cases.iter().enumerate() {
        let stderr = refused(&format!("option{index}"), GOOD, "spill", options);
        assert!(stderr.contains(named), "{stderr}");
    }
}

#[test]
fn a_missing_file_is_refused_by_name() {
    let (code, _, stderr) = danjiang(&["canal", "run", "no/such/canal.inp"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no/such/canal.inp"), "{stderr}");
}

/// Arrival (first report time above `threshold`), time of the peak and time above the threshold
/// at node `id`, from the JSON of a plain `danjiang run`.
fn plain_run_arrival(
    document: &serde_json::Value,
    id: &str,
    threshold: f64,
) -> (Option<f64>, f64, f64) {
    let index = document["node_ids"]
        .as_array()
        .unwrap()
        .iter()
        .position(|n| n.as_str() == Some(id))
        .unwrap();
    let step = document["report_step"].as_f64().unwrap();
    let (mut arrival, mut peak, mut peak_time, mut above) = (None, 0.0, 0.0, 0.0);
    for period in document["periods"].as_array().unwrap() {
        let time = period["time"].as_f64().unwrap();
        let quality = period["nodes"]["quality"][index].as_f64().unwrap();
        if quality > peak {
            (peak, peak_time) = (quality, time);
        }
        if quality > threshold {
            arrival.get_or_insert(time);
            above += step;
        }
    }
    (arrival, peak_time, above)
}

#[test]
fn a_spill_reaches_the_plants_as_a_plain_run_of_the_network_with_the_outlet_series_says() {
    let dir = scratch("plants");
    let written = dir.join("network.inp");
    let (code, stdout, stderr) = danjiang(&[
        "canal",
        "spill",
        &text(&example("canal.inp")),
        "--at-node",
        "Bridge_K23",
        "--mass-kg",
        "1000",
        "--network",
        &text(&example("xuchang.inp")),
        "--write-network",
        &text(&written),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let spill: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let json = dir.join("plain.json");
    let (code, _, stderr) = danjiang(&["run", &text(&written), "--json", &text(&json), "--quiet"]);
    assert_eq!(code, 0, "{stderr}");
    let plain: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let plants = spill["plants"].as_array().unwrap();
    // Each plant of the register (assets.csv, kind `plant`, its EPANET element) once.
    let mut reported: Vec<String> = plants
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    reported.sort_unstable();
    assert_eq!(reported, register_plants(), "{plants:?}");
    let mut reached = 0;
    for plant in plants {
        let id = plant["id"].as_str().unwrap();
        let (arrival, peak_time, above) = plain_run_arrival(&plain, id, 0.01);
        assert_eq!(plant["arrival_s"].as_f64(), arrival, "arrival at {id}");
        assert_eq!(
            plant["peak_time_s"].as_f64(),
            Some(peak_time),
            "peak at {id}"
        );
        assert_eq!(
            plant["above_threshold_s"].as_f64(),
            Some(above),
            "time above at {id}"
        );
        reached += usize::from(arrival.is_some());
    }
    // The spill at km 23 passes outlets No. 17 and No. 18, so their plants see it.
    assert!(reached >= 2, "{plants:?}");
    std::fs::remove_dir_all(&dir).ok();
}

/// Runs danjiang with `args` and its standard output closed before it writes anything (as
/// `| head` does once it has read enough): (exit status, stderr).
fn danjiang_into_closed_pipe(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_danjiang"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > HANG {
            child.kill().ok();
            panic!("danjiang {} hung", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let canal = text(&example("canal.inp"));
    let cases: [&[&str]; 3] = [
        &["canal", "run", &canal],
        &[
            "canal",
            "spill",
            &canal,
            "--at-node",
            "Bridge_K23",
            "--mass-kg",
            "1000",
        ],
        &[
            "canal",
            "spill",
            &canal,
            "--at-node",
            "Bridge_K23",
            "--mass-kg",
            "1000",
            "--format",
            "json",
        ],
    ];
    for args in cases {
        let (code, stderr) = danjiang_into_closed_pipe(args);
        // Exit 0, or no code at all when a SIGPIPE ended it: either way no message.
        assert!(
            matches!(code, Some(0) | None),
            "{args:?}: {code:?} {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(stderr.trim().is_empty(), "{args:?}: {stderr}");
    }
}

/// The EPANET IDs of the plants in the register examples/xuchang/assets.csv, sorted.
fn register_plants() -> Vec<String> {
    let register = std::fs::read_to_string(example("assets.csv")).unwrap();
    let mut lines = register.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (kind, element) = (column("kind"), column("epanet_id"));
    let mut plants: Vec<String> = lines
        .map(|line| line.split(',').collect::<Vec<_>>())
        .filter(|fields| fields[kind] == "plant")
        .map(|fields| fields[element].to_string())
        .collect();
    plants.sort_unstable();
    plants
}

/// Each period's (time, demand) at node `id` from the JSON of a plain `danjiang run`.
fn plain_run_demand(document: &serde_json::Value, id: &str) -> Vec<(f64, f64)> {
    let index = document["node_ids"]
        .as_array()
        .unwrap()
        .iter()
        .position(|n| n.as_str() == Some(id))
        .unwrap();
    document["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|period| {
            (
                period["time"].as_f64().unwrap(),
                period["nodes"]["demand"][index].as_f64().unwrap(),
            )
        })
        .collect()
}

/// A plain `danjiang run` of `network` into JSON.
fn plain_run(dir: &Path, network: &Path, name: &str) -> serde_json::Value {
    let json = dir.join(name);
    let (code, _, stderr) = danjiang(&["run", &text(network), "--json", &text(&json), "--quiet"]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap()
}

#[test]
fn closing_an_outlet_tells_which_plants_lose_supply_and_how_long_their_storage_lasts() {
    let dir = scratch("closure");
    let (written, closed) = (dir.join("network.inp"), dir.join("closed.inp"));
    let storage = 3000.0;
    let (code, stdout, stderr) = danjiang(&[
        "canal",
        "spill",
        &text(&example("canal.inp")),
        "--at-node",
        "Bridge_K23",
        "--mass-kg",
        "1000",
        "--network",
        &text(&example("xuchang.inp")),
        "--close",
        "OUT16@2:30",
        "--storage",
        &format!("P-YUZHOU2={storage}"),
        "--write-network",
        &text(&written),
        "--write-closed-network",
        &text(&closed),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let spill: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let supply = &spill["supply"];
    assert_eq!(supply["closed"][0]["outlet"], "OUT16");
    let cut_from = supply["closed"][0]["network_from_s"].as_f64().unwrap();
    assert!(cut_from >= 2.5 * 3600.0, "{supply}");
    // Required: the network as it is (a plain run); delivered: the closed network, plain.
    let required = plain_run(&dir, &written, "required.json");
    let delivered = plain_run(&dir, &closed, "delivered.json");
    let mut lost = 0;
    for plant in supply["plants"].as_array().unwrap() {
        let id = plant["id"].as_str().unwrap();
        let needed = plain_run_demand(&required, id);
        let got = plain_run_demand(&delivered, id);
        let loss = needed
            .iter()
            .zip(&got)
            .find(|((_, n), (_, g))| *n > 0.0 && *g < 0.99 * n)
            .map(|((t, _), _)| *t);
        assert_eq!(plant["loses_supply_s"].as_f64(), loss, "loss at {id}");
        let Some(loss) = loss else { continue };
        lost += 1;
        assert!(loss >= cut_from, "{id} loses supply before the closure");
        if id == "P-YUZHOU2" {
            // The storage used by the deficit (demand in L/s) from the loss until it is gone.
            let step = required["report_step"].as_f64().unwrap();
            let (mut used, mut empty) = (0.0, None);
            for ((time, n), (_, g)) in needed.iter().zip(&got).filter(|((t, _), _)| *t >= loss) {
                let deficit = (n - g).max(0.0) / 1000.0;
                if deficit > 0.0 && used + deficit * step >= storage {
                    empty = Some(time + (storage - used) / deficit);
                    break;
                }
                used += deficit * step;
            }
            let reported = plant["storage_empty_s"].as_f64().unwrap();
            let empty = empty.unwrap();
            assert!((reported - empty).abs() < 1.0, "{reported} vs {empty}");
        }
    }
    assert!(lost >= 1, "{supply}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_canal_as_json_runs_as_the_inp_does() {
    let dir = scratch("json");
    let json = dir.join("canal.json");
    let canal = text(&example("canal.inp"));
    let (code, _, stderr) = danjiang(&["convert", &canal, &text(&json)]);
    assert_eq!(code, 0, "{stderr}");
    let spill = |input: &str| {
        let (code, stdout, stderr) = danjiang(&[
            "canal",
            "spill",
            input,
            "--at-node",
            "Bridge_K23",
            "--mass-kg",
            "1000",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    assert_eq!(spill(&canal), spill(&text(&json)));
    let (from_inp, from_json) = (dir.join("inp.csv"), dir.join("json.csv"));
    for (input, csv) in [(&canal, &from_inp), (&text(&json), &from_json)] {
        let (code, _, stderr) = danjiang(&["canal", "run", input, "--csv", &text(csv)]);
        assert_eq!(code, 0, "{stderr}");
    }
    assert_eq!(
        std::fs::read_to_string(&from_inp).unwrap(),
        std::fs::read_to_string(&from_json).unwrap()
    );
    // Converted again, the JSON is what it was.
    let again = dir.join("again.json");
    let (code, _, stderr) = danjiang(&["convert", &text(&json), &text(&again)]);
    assert_eq!(code, 0, "{stderr}");
    let document = |path: &Path| -> serde_json::Value {
        let mut value: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        // Where each element was declared differs (the .inp's lines, then the JSON's).
        forget_lines(&mut value);
        value["canal"]["file"] = serde_json::Value::Null;
        value
    };
    assert_eq!(document(&json), document(&again));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_bad_canal_json_is_refused_with_its_line() {
    let dir = scratch("bad-json");
    let json = dir.join("canal.json");
    let inp = dir.join("good.inp");
    std::fs::write(&inp, GOOD).unwrap();
    let (code, _, stderr) = danjiang(&["convert", &text(&inp), &text(&json)]);
    assert_eq!(code, 0, "{stderr}");
    let good = std::fs::read_to_string(&json).unwrap();
    let bad = good.replacen("\"bottom_width\": 15.0", "\"bottom_width\": -15.0", 1);
    assert_ne!(good, bad);
    let bad_file = dir.join("bad.json");
    std::fs::write(&bad_file, &bad).unwrap();
    let (code, _, stderr) = danjiang(&["canal", "run", &text(&bad_file)]);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The line of the link's "id" in the JSON.
    let line = bad
        .lines()
        .position(|l| l.contains("\"id\": \"C1\""))
        .unwrap()
        + 1;
    assert!(stderr.contains(&format!("bad.json:{line}:")), "{stderr}");
    assert!(stderr.contains("bottom width"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

/// Takes the `line` and `section_line` fields out of a JSON value, everywhere.
fn forget_lines(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.remove("line");
            map.remove("section_line");
            map.values_mut().for_each(forget_lines);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(forget_lines),
        _ => {}
    }
}
