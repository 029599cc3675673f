//! Every public network in the corpus reads without error (except those EPANET itself
//! rejects), and the networks EPANET ships read with the right counts.

use danjiang_network::inp;
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crate lives two levels below the workspace root") // ok: fixed layout
        .to_path_buf()
}

/// Networks EPANET 2.3.5 rejects: the file names that start lines of
/// `EPANET-REJECTS.txt` (`name.inp: Error ...`); indented lines and `#` lines explain.
fn epanet_rejects(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("EPANET-REJECTS.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|line| !line.starts_with(char::is_whitespace) && !line.starts_with('#'))
        .filter_map(|line| line.split([':', ' ', '\t']).next())
        .filter(|name| name.to_ascii_lowercase().ends_with(".inp"))
        .map(str::to_string)
        .collect()
}

fn inp_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| {
                    path.extension()
                        .is_some_and(|ext| ext.eq_ignore_ascii_case("inp"))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn every_public_network_reads_as_epanet_decides() {
    let dir = workspace_root().join("tests/networks/public");
    let rejects = epanet_rejects(&dir);
    let mut failures = Vec::new();
    let mut read = 0;
    for path in inp_files(&dir) {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let rejected_by_epanet = rejects.iter().any(|r| r == &name);
        match (inp::read_file(&path), rejected_by_epanet) {
            (Ok(_), false) => read += 1,
            (Err(error), false) => failures.push(format!("{name}: {error}")),
            (Ok(_), true) => failures.push(format!("{name}: accepted, but EPANET rejects it")),
            (Err(error), true) => {
                // Every error must say where it is.
                if error.errors().iter().any(|e| e.line.is_none()) {
                    failures.push(format!("{name}: an error without a line: {error}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} networks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{read} public networks read");
}
