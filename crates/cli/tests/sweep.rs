//! `danjiang sweep contamination|criticality|merge`: shards merged equal one unsharded run,
//! file for file, and bad scenario files are refused with their line.

use std::path::{Path, PathBuf};
use std::process::Command;

fn network(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/networks/public")
        .join(format!("{name}.inp"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dj-sweep-{}-{name}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn danjiang(args: &[&str]) -> std::process::Output {
    let output = Command::new(env!("CARGO_BIN_EXE_danjiang"))
        .args(args)
        .output()
        .unwrap();
    output
}

fn succeed(args: &[&str]) {
    let output = danjiang(args);
    assert!(
        output.status.success(),
        "danjiang {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn assert_same_folders(a: &Path, b: &Path) {
    let mut names: Vec<_> = std::fs::read_dir(a)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert!(names.len() >= 6, "{names:?}");
    for name in names {
        let left = std::fs::read(a.join(&name)).unwrap();
        let right = std::fs::read(b.join(&name)).unwrap_or_default();
        assert!(
            left == right,
            "{name:?} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn sharded_equals_whole(kind_args: &[&str], name: &str) {
    let dir = scratch(name);
    let whole = dir.join("whole");
    let mut args = kind_args.to_vec();
    let whole_text = whole.to_string_lossy().to_string();
    args.extend(["--output", &whole_text, "--threads", "2"]);
    succeed(&args);
    let mut shard_dirs = Vec::new();
    for (index, threads) in [(1, "1"), (2, "2"), (3, "3")] {
        let shard_dir = dir
            .join(format!("shard{index}"))
            .to_string_lossy()
            .to_string();
        let shard = format!("{index}/3");
        let mut args = kind_args.to_vec();
        args.extend([
            "--output",
            &shard_dir,
            "--shard",
            &shard,
            "--threads",
            threads,
        ]);
        succeed(&args);
        shard_dirs.push(shard_dir);
    }
    let merged = dir.join("merged").to_string_lossy().to_string();
    // Shards in any order.
    succeed(&[
        "sweep",
        "merge",
        "--output",
        &merged,
        &shard_dirs[2],
        &shard_dirs[0],
        &shard_dirs[1],
    ]);
    assert_same_folders(&whole, Path::new(&merged));
    // A missing shard is refused.
    let output = danjiang(&[
        "sweep",
        "merge",
        "--output",
        &merged,
        &shard_dirs[0],
        &shard_dirs[2],
    ]);
    assert!(!output.status.success());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn contamination_shards_merge_into_the_unsharded_result() {
    let net = network("net3").to_string_lossy().to_string();
    sharded_equals_whole(
        &[
            "sweep",
            "contamination",
            &net,
            "--nodes",
            "10,15,20,35,40,50,60,101,111,123,145,161,187,211",
            "--start",
            "1",
            "--duration",
            "2",
            "--strength",
            "5000",
            "--demand-receptors",
        ],
        "contamination",
    );
}

#[test]
fn criticality_shards_merge_into_the_unsharded_result() {
    let net = network("net1").to_string_lossy().to_string();
    sharded_equals_whole(
        &[
            "sweep",
            "criticality",
            &net,
            "--pipes",
            "--required-pressure",
            "14",
        ],
        "criticality",
    );
}

#[test]
fn a_bad_scenario_file_is_refused_with_its_line() {
    let dir = scratch("bad");
    let file = dir.join("scenarios.csv");
    std::fs::write(&file, "node,strength\n10,5\n99999,5\n").unwrap();
    let net = network("net1").to_string_lossy().to_string();
    let out = dir.join("out").to_string_lossy().to_string();
    let output = danjiang(&[
        "sweep",
        "contamination",
        &net,
        "--scenarios",
        &file.to_string_lossy(),
        "--output",
        &out,
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("line 3") && stderr.contains("99999"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
