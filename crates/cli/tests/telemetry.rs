//! `danjiang telemetry import` as an operator backfills: tags registered with `danjiang import
//! tags`, a file of points stored and a second import of it storing nothing; a file with a bad line
//! refused whole, naming the line and field, with exit 1.

use std::path::PathBuf;
use std::process::{Command, Output};

fn scratch() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("telemetry-cli");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn danjiang(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_danjiang"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn points_are_backfilled_once_and_a_bad_file_is_refused_whole() {
    let dir = scratch();
    let db = format!("sqlite:{}", dir.join("t.db").display());
    let tags = dir.join("tags.csv");
    std::fs::write(
        &tags,
        "code,name,quantity,unit\nG1.LEVEL,Gate 1 upstream level,level,m\n",
    )
    .unwrap();
    let out = danjiang(&["import", "tags", tags.to_str().unwrap(), "--db", &db]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let points = dir.join("points.csv");
    let mut text = String::from("time,G1.LEVEL\n");
    for minute in 0..120 {
        text.push_str(&format!(
            "2024-06-01 {:02}:{:02},{}\n",
            minute / 60,
            minute % 60,
            140.0 + f64::from(minute) * 0.001
        ));
    }
    std::fs::write(&points, &text).unwrap();
    let first = danjiang(&["telemetry", "import", points.to_str().unwrap(), "--db", &db]);
    let said = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        said.contains("120 point(s) read, 120 stored, 0 already stored"),
        "{said}"
    );
    let again = danjiang(&["telemetry", "import", points.to_str().unwrap(), "--db", &db]);
    let said = String::from_utf8_lossy(&again.stdout);
    assert!(said.contains("0 stored, 120 already stored"), "{said}");

    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "tag,time,value\nG1.LEVEL,2024-06-02 00:00,140\nG1.LEVEL,2024-06-02 00:01,high\n",
    )
    .unwrap();
    let refused = danjiang(&["telemetry", "import", bad.to_str().unwrap(), "--db", &db]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("line 3, field `value`"), "{stderr}");
    // The good line of the refused file was not stored: alone, it is stored now.
    let good = dir.join("good.csv");
    std::fs::write(&good, "tag,time,value\nG1.LEVEL,2024-06-02 00:00,140\n").unwrap();
    let retry = danjiang(&["telemetry", "import", good.to_str().unwrap(), "--db", &db]);
    let said = String::from_utf8_lossy(&retry.stdout);
    assert!(said.contains("1 point(s) read, 1 stored"), "{said}");
}
