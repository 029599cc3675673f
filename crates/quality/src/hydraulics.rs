//! The hydraulic results a quality run needs, one snapshot per hydraulic time step, kept in
//! memory or in a compact binary file so that many quality runs can share one hydraulic run.

use crate::QualityError;
use danjiang_network::units::{CUBIC_METRES_PER_CUBIC_FOOT, METRES_PER_FOOT};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

/// Hydraulic conditions that hold from `time` for `step_length` seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HydraulicSnapshot {
    /// Time of the solution since the start of the run, s.
    pub time: u64,
    /// Seconds until the next hydraulic solution (0 for the last one).
    pub step_length: u64,
    /// Per node, m³/s: at a junction its total outflow (demand, emitter and leakage; negative
    /// for an inflow); at a tank its net inflow; at a reservoir its net outflow.
    pub node_demand: Vec<f64>,
    /// Hydraulic head per node, m (a tank's head gives its level and volume).
    pub node_head: Vec<f64>,
    /// Flow per link, m³/s, positive from its start node to its end node; zero when closed.
    pub link_flow: Vec<f64>,
}

/// A whole hydraulic run: its snapshots in time order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredHydraulics {
    /// Number of nodes every snapshot has.
    pub node_count: usize,
    /// Number of links every snapshot has.
    pub link_count: usize,
    snapshots: Vec<HydraulicSnapshot>,
}

/// First bytes of our stored-hydraulics file, with its format version.
const FILE_MAGIC: &[u8; 8] = b"DJHYD\0\0\x01";
/// EPANET's magic number at the start of its hydraulics and output files.
const EPANET_MAGIC: i32 = 516_114_521;

impl StoredHydraulics {
    /// An empty store for a network of this size.
    pub fn new(node_count: usize, link_count: usize) -> StoredHydraulics {
        StoredHydraulics {
            node_count,
            link_count,
            snapshots: Vec::new(),
        }
    }

    /// Appends the next snapshot; it must fit the network and follow the previous one.
    pub fn push(&mut self, snapshot: HydraulicSnapshot) -> Result<(), QualityError> {
        if snapshot.node_demand.len() != self.node_count
            || snapshot.node_head.len() != self.node_count
            || snapshot.link_flow.len() != self.link_count
        {
            return Err(QualityError::HydraulicsMismatch(format!(
                "snapshot at {} s has {} demands, {} heads and {} flows; the store holds {} nodes and {} links",
                snapshot.time,
                snapshot.node_demand.len(),
                snapshot.node_head.len(),
                snapshot.link_flow.len(),
                self.node_count,
                self.link_count
            )));
        }
        if let Some(last) = self.snapshots.last() {
            if last.time.checked_add(last.step_length) != Some(snapshot.time) {
                return Err(QualityError::HydraulicsMismatch(format!(
                    "snapshot at {} s does not follow the one at {} s with step {} s",
                    snapshot.time, last.time, last.step_length
                )));
            }
        }
        self.snapshots.push(snapshot);
        Ok(())
    }

    /// The snapshots in time order.
    pub fn snapshots(&self) -> &[HydraulicSnapshot] {
        &self.snapshots
    }

    /// Writes the store to a binary file (little-endian: a header, then per snapshot its
    /// time, step length, demands, heads and flows as f64, so a reload is exact).
    pub fn write_file(&self, path: &Path) -> Result<(), QualityError> {
        let error = |e: std::io::Error| QualityError::HydraulicsFile {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let mut out = BufWriter::new(File::create(path).map_err(error)?);
        out.write_all(FILE_MAGIC).map_err(error)?;
        for count in [self.node_count, self.link_count, self.snapshots.len()] {
            out.write_all(&(count as u64).to_le_bytes())
                .map_err(error)?;
        }
        for snapshot in &self.snapshots {
            out.write_all(&snapshot.time.to_le_bytes()).map_err(error)?;
            out.write_all(&snapshot.step_length.to_le_bytes())
                .map_err(error)?;
            for value in snapshot
                .node_demand
                .iter()
                .chain(&snapshot.node_head)
                .chain(&snapshot.link_flow)
            {
                out.write_all(&value.to_le_bytes()).map_err(error)?;
            }
        }
        out.flush().map_err(error)
    }

    /// Reads a file written by [`StoredHydraulics::write_file`].
    pub fn read_file(path: &Path) -> Result<StoredHydraulics, QualityError> {
        let mut input = ByteReader::open(path)?;
        let mut magic = [0u8; 8];
        input.bytes(&mut magic)?;
        if &magic != FILE_MAGIC {
            return Err(input.fail("not a Danjiang stored-hydraulics file (bad magic bytes)"));
        }
        let node_count = input.count()?;
        let link_count = input.count()?;
        let snapshot_count = input.count()?;
        let mut store = StoredHydraulics::new(node_count, link_count);
        for _ in 0..snapshot_count {
            let time = input.u64()?;
            let step_length = input.u64()?;
            let node_demand = input.f64s(node_count)?;
            let node_head = input.f64s(node_count)?;
            let link_flow = input.f64s(link_count)?;
            store
                .push(HydraulicSnapshot {
                    time,
                    step_length,
                    node_demand,
                    node_head,
                    link_flow,
                })
                .map_err(|e| input.fail(&e.to_string()))?;
        }
        Ok(store)
    }

    /// Reads a hydraulics file saved by EPANET 2.2 or 2.3 (`[OPTIONS] HYDRAULICS SAVE` or
    /// `ENsavehydfile`), converting its US internal units to SI. Its values are float32,
    /// exactly what EPANET's own quality routing reads back.
    pub fn read_epanet_file(path: &Path) -> Result<StoredHydraulics, QualityError> {
        let mut input = ByteReader::open(path)?;
        if input.i32()? != EPANET_MAGIC {
            return Err(input.fail("not an EPANET hydraulics file (bad magic number)"));
        }
        let _version = input.i32()?;
        let mut sizes = [0usize; 6];
        for size in &mut sizes {
            *size = usize::try_from(input.i32()?)
                .map_err(|_| input.fail("negative element count in header"))?;
        }
        let (node_count, link_count) = (sizes[0], sizes[1]);
        let mut store = StoredHydraulics::new(node_count, link_count);
        while let Some(time) = input.i32_or_end()? {
            let node_demand = scaled(input.f32s(node_count)?, CUBIC_METRES_PER_CUBIC_FOOT);
            let node_head = scaled(input.f32s(node_count)?, METRES_PER_FOOT);
            let link_flow = scaled(input.f32s(link_count)?, CUBIC_METRES_PER_CUBIC_FOOT);
            // Link status and setting follow; quality routing does not need them.
            input.f32s(2 * link_count)?;
            let step = input.i32_or_end()?.unwrap_or(0);
            let time =
                u64::try_from(time).map_err(|_| input.fail("negative time of a solution"))?;
            let step_length =
                u64::try_from(step).map_err(|_| input.fail("negative hydraulic time step"))?;
            store
                .push(HydraulicSnapshot {
                    time,
                    step_length,
                    node_demand,
                    node_head,
                    link_flow,
                })
                .map_err(|e| input.fail(&e.to_string()))?;
        }
        Ok(store)
    }
}

#[cfg(feature = "hydraulics")]
impl From<&danjiang_hydraulics::HydraulicState> for HydraulicSnapshot {
    fn from(state: &danjiang_hydraulics::HydraulicState) -> HydraulicSnapshot {
        HydraulicSnapshot {
            time: state.time,
            step_length: state.step_length,
            node_demand: state.node_demand.clone(),
            node_head: state.node_head.clone(),
            link_flow: state.link_flow.clone(),
        }
    }
}

#[cfg(feature = "hydraulics")]
impl StoredHydraulics {
    /// Runs a hydraulic simulation to its end and keeps every hydraulic step, as EPANET
    /// keeps its hydraulics file before routing quality.
    pub fn from_simulation(
        simulation: &mut danjiang_hydraulics::HydraulicSimulation,
        network: &danjiang_network::Network,
    ) -> Result<StoredHydraulics, QualityError> {
        let mut store = StoredHydraulics::new(network.nodes.len(), network.links.len());
        loop {
            match simulation.step() {
                Ok(Some(state)) => store.push(HydraulicSnapshot::from(state))?,
                Ok(None) => return Ok(store),
                Err(e) => return Err(QualityError::HydraulicRun(e.to_string())),
            }
        }
    }
}

fn scaled(values: Vec<f32>, factor: f64) -> Vec<f64> {
    values.into_iter().map(|v| f64::from(v) * factor).collect()
}

/// Little-endian reading with errors that name the file and the byte offset.
struct ByteReader {
    path: std::path::PathBuf,
    input: BufReader<File>,
    offset: u64,
    length: u64,
}

impl ByteReader {
    fn open(path: &Path) -> Result<ByteReader, QualityError> {
        let error = |e: std::io::Error| QualityError::HydraulicsFile {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let file = File::open(path).map_err(error)?;
        let length = file.metadata().map_err(error)?.len();
        Ok(ByteReader {
            path: path.to_path_buf(),
            input: BufReader::new(file),
            offset: 0,
            length,
        })
    }

    fn fail(&self, message: &str) -> QualityError {
        QualityError::HydraulicsFile {
            path: self.path.clone(),
            message: format!("at byte {}: {message}", self.offset),
        }
    }

    fn bytes(&mut self, buffer: &mut [u8]) -> Result<(), QualityError> {
        self.input
            .read_exact(buffer)
            .map_err(|_| self.fail("file ends too soon"))?;
        self.offset += buffer.len() as u64;
        Ok(())
    }

    fn u64(&mut self) -> Result<u64, QualityError> {
        let mut b = [0u8; 8];
        self.bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn count(&mut self) -> Result<usize, QualityError> {
        let value = self.u64()?;
        // A count this large cannot come from a real network: refuse rather than allocate.
        if value > (1 << 32) {
            return Err(self.fail("element count too large"));
        }
        Ok(value as usize)
    }

    fn i32(&mut self) -> Result<i32, QualityError> {
        let mut b = [0u8; 4];
        self.bytes(&mut b)?;
        Ok(i32::from_le_bytes(b))
    }

    /// An i32, or `None` at the end of the file. EPANET ends its hydraulics file with a
    /// one-byte end-of-file mark (0x1A), so fewer than four bytes left also mean the end.
    fn i32_or_end(&mut self) -> Result<Option<i32>, QualityError> {
        let mut b = [0u8; 4];
        let mut read = 0;
        while read < 4 {
            let n = self
                .input
                .read(&mut b[read..])
                .map_err(|e| self.fail(&e.to_string()))?;
            if n == 0 {
                break;
            }
            read += n;
        }
        self.offset += read as u64;
        if read == 4 {
            Ok(Some(i32::from_le_bytes(b)))
        } else {
            Ok(None)
        }
    }

    /// A buffer for `count` values of `size` bytes, refused when the file cannot hold them
    /// (so a damaged header cannot ask for gigabytes).
    fn buffer(&self, count: usize, size: usize) -> Result<Vec<u8>, QualityError> {
        let bytes = count
            .checked_mul(size)
            .filter(|&b| b as u64 <= self.length.saturating_sub(self.offset))
            .ok_or_else(|| self.fail("file ends too soon for the element counts in its header"))?;
        Ok(vec![0u8; bytes])
    }

    fn f64s(&mut self, count: usize) -> Result<Vec<f64>, QualityError> {
        let mut buffer = self.buffer(count, 8)?;
        self.bytes(&mut buffer)?;
        Ok(buffer
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect())
    }

    fn f32s(&mut self, count: usize) -> Result<Vec<f32>, QualityError> {
        let mut buffer = self.buffer(count, 4)?;
        self.bytes(&mut buffer)?;
        Ok(buffer
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(time: u64, step: u64) -> HydraulicSnapshot {
        HydraulicSnapshot {
            time,
            step_length: step,
            node_demand: vec![0.1, -0.1],
            node_head: vec![10.0, 20.0],
            link_flow: vec![0.1 + time as f64],
        }
    }

    #[test]
    fn file_round_trip_is_exact() {
        let mut store = StoredHydraulics::new(2, 1);
        store.push(snapshot(0, 600)).unwrap();
        store.push(snapshot(600, 3000)).unwrap();
        store.push(snapshot(3600, 0)).unwrap();
        let path = std::env::temp_dir().join(format!("dj-hyd-{}.bin", std::process::id()));
        store.write_file(&path).unwrap();
        let back = StoredHydraulics::read_file(&path).unwrap();
        std::fs::remove_file(&path).ok();
        assert_eq!(back, store);
    }

    #[test]
    fn snapshots_out_of_order_are_refused() {
        let mut store = StoredHydraulics::new(2, 1);
        store.push(snapshot(0, 600)).unwrap();
        assert!(store.push(snapshot(700, 0)).is_err());
        let mut wrong = snapshot(600, 0);
        wrong.link_flow.push(1.0);
        assert!(store.push(wrong).is_err());
    }

    #[test]
    fn truncated_file_is_an_error_not_a_panic() {
        let path = std::env::temp_dir().join(format!("dj-hyd-bad-{}.bin", std::process::id()));
        std::fs::write(&path, b"DJHYD\0\0\x01\x02\0").unwrap();
        let result = StoredHydraulics::read_file(&path);
        std::fs::remove_file(&path).ok();
        assert!(matches!(result, Err(QualityError::HydraulicsFile { .. })));
    }
}
