//! Reading the largest public network is fast: one pass, no regular expressions, sized
//! vectors. Run with `--release -- --nocapture` to see the figure.

use danjiang_network::inp;
use std::path::Path;
use std::time::Instant;

#[test]
fn the_largest_public_network_reads_quickly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/networks/public");
    let largest = std::fs::read_dir(&dir)
        .expect("public networks exist") // ok: test data
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "inp"))
        .max_by_key(|path| std::fs::metadata(path).map(|m| m.len()).unwrap_or(0))
        .expect("at least one public network"); // ok: test data
    let text = std::fs::read(&largest).expect("readable"); // ok: test data
    let text = inp::decode(&text);
    let name = largest.display().to_string();
    // Best of three, so that a busy machine does not decide the figure.
    let mut best = f64::INFINITY;
    let mut nodes = 0;
    for _ in 0..3 {
        let started = Instant::now();
        let outcome = inp::read_str(&text, &name).expect("the largest network reads"); // ok: test data
        best = best.min(started.elapsed().as_secs_f64());
        nodes = outcome.network.nodes.len();
    }
    eprintln!(
        "{name}: {nodes} nodes, {} bytes, read and validated in {:.1} ms",
        text.len(),
        best * 1000.0
    );
    assert!(
        nodes > 10_000,
        "the largest public network has over 10,000 nodes"
    );
    // Well under a second when optimised; unoptimised builds get more room.
    let limit = if cfg!(debug_assertions) { 5.0 } else { 0.5 };
    assert!(best < limit, "took {best:.3} s, limit {limit} s");
}
