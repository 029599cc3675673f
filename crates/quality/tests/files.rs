//! Stored-hydraulics files from outside: whatever their bytes, reading gives hydraulics or a
//! clear error, never a panic.

use danjiang_quality::StoredHydraulics;
use proptest::prelude::*;

fn read_both(bytes: &[u8]) {
    let path = std::env::temp_dir().join(format!(
        "dj-quality-fuzz-{}-{:?}.bin",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::write(&path, bytes).unwrap();
    let _ = StoredHydraulics::read_file(&path);
    let _ = StoredHydraulics::read_epanet_file(&path);
    std::fs::remove_file(&path).ok();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        read_both(&bytes);
    }

    #[test]
    fn damaged_headers_never_panic(
        nodes in prop_oneof![0i32..5, Just(i32::MAX), Just(-1)],
        links in prop_oneof![0i32..5, Just(i32::MAX)],
        tail in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        // A plausible EPANET header with made-up sizes, then anything.
        let mut bytes = Vec::new();
        for value in [516_114_521, 201, nodes, links, 0, 0, 0, 3600] {
            bytes.extend_from_slice(&i32::to_le_bytes(value));
        }
        bytes.extend_from_slice(&tail);
        read_both(&bytes);
        // The same for our own format.
        let mut ours = b"DJHYD\0\0\x01".to_vec();
        for value in [nodes as u64, links as u64, u64::MAX] {
            ours.extend_from_slice(&value.to_le_bytes());
        }
        ours.extend_from_slice(&tail);
        read_both(&ours);
    }
}
