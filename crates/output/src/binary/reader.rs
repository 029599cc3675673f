//! Reading an EPANET binary output file: the fixed sections at once, periods on demand.

use super::{
    energy_bytes, period_bytes, prolog_bytes, EnergySection, Epilog, OutFile, PeriodResults,
    Prolog, PumpEnergy, EPILOG_BYTES, FILE_NAME_BYTES, ID_BYTES, LINK_QUANTITIES, MAGIC_NUMBER,
    NODE_QUANTITIES, TITLE_BYTES,
};
use crate::error::OutputError;
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Something an output file can be read from.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// Reads a whole output file (plain or gzip-compressed) into memory.
pub fn read(path: impl AsRef<Path>) -> Result<OutFile, OutputError> {
    OutReader::open(path)?.read_all()
}

/// Reads a whole output file from a stream; `name` is used in error messages.
pub fn read_from<R: Read + Seek>(
    stream: R,
    name: impl Into<PathBuf>,
) -> Result<OutFile, OutputError> {
    OutReader::new(stream, name)?.read_all()
}

/// An open output file: its prolog, energy section and epilog are read when it is opened,
/// its periods one at a time when asked for, so large files need not fit in memory.
pub struct OutReader<R> {
    stream: R,
    path: PathBuf,
    prolog: Prolog,
    energy: EnergySection,
    epilog: Epilog,
}

impl OutReader<Box<dyn ReadSeek>> {
    /// Opens an output file. A gzip-compressed file (`.out.gz`) is recognised by its first
    /// bytes and decompressed into memory.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, OutputError> {
        let path = path.as_ref();
        let mut file = File::open(path).map_err(|e| OutputError::io(path, e))?;
        let mut signature = [0u8; 2];
        let is_gzip = match file.read_exact(&mut signature) {
            Ok(()) => signature == [0x1f, 0x8b],
            Err(_) => false,
        };
        file.seek(SeekFrom::Start(0))
            .map_err(|e| OutputError::io(path, e))?;
        let stream: Box<dyn ReadSeek> = if is_gzip {
            let mut bytes = Vec::new();
            flate2::read::MultiGzDecoder::new(file)
                .read_to_end(&mut bytes)
                .map_err(|e| OutputError::io(path, e))?;
            Box::new(Cursor::new(bytes))
        } else {
            Box::new(BufReader::new(file))
        };
        OutReader::new(stream, path)
    }
}

impl<R: Read + Seek> OutReader<R> {
    /// Reads the fixed sections of an output file from a stream; `name` is used in messages.
    pub fn new(mut stream: R, name: impl Into<PathBuf>) -> Result<Self, OutputError> {
        let path = name.into();
        let malformed = |reason: String| OutputError::Malformed {
            path: path.clone(),
            reason,
        };
        let io = |e: std::io::Error| OutputError::io(path.clone(), e);
        let file_len = stream.seek(SeekFrom::End(0)).map_err(io)?;
        stream.seek(SeekFrom::Start(0)).map_err(io)?;

        if file_len < (15 * 4 + EPILOG_BYTES) as u64 {
            return Err(malformed(format!(
                "the file has {file_len} bytes, too few for a prolog and an epilog"
            )));
        }
        let mut head = [0u8; 60];
        stream.read_exact(&mut head).map_err(io)?;
        let word = |i: usize| {
            i32::from_le_bytes([
                head[4 * i],
                head[4 * i + 1],
                head[4 * i + 2],
                head[4 * i + 3],
            ])
        };
        if word(0) != MAGIC_NUMBER {
            return Err(malformed(format!(
                "it starts with {} where the magic number {MAGIC_NUMBER} belongs",
                word(0)
            )));
        }
        let count = |i: usize, what: &str| -> Result<usize, OutputError> {
            usize::try_from(word(i)).map_err(|_| {
                malformed(format!(
                    "negative {what} count {} at byte {}",
                    word(i),
                    4 * i
                ))
            })
        };
        let node_count = count(2, "node")?;
        let tank_count = count(3, "tank")?;
        let link_count = count(4, "link")?;
        let pump_count = count(5, "pump")?;
        let valve_count = count(6, "valve")?;
        if tank_count > node_count || pump_count + valve_count > link_count {
            return Err(malformed(format!(
                "inconsistent counts: {node_count} nodes, {tank_count} tanks, {link_count} links, \
                 {pump_count} pumps, {valve_count} valves"
            )));
        }
        let prolog_len = prolog_bytes(node_count, link_count, tank_count);
        let results_offset = prolog_len + energy_bytes(pump_count);
        if results_offset + EPILOG_BYTES as u64 > file_len {
            return Err(malformed(format!(
                "the counts ({node_count} nodes, {link_count} links, {pump_count} pumps) need \
                 {} bytes before the results, the file has {file_len}",
                results_offset + EPILOG_BYTES as u64
            )));
        }

        // The rest of the prolog and the energy section, in one read.
        let mut body = vec![0u8; (results_offset - 60) as usize];
        stream.read_exact(&mut body).map_err(io)?;
        let mut cursor = Words::new(&body);
        let title = [
            cursor.text(TITLE_BYTES),
            cursor.text(TITLE_BYTES),
            cursor.text(TITLE_BYTES),
        ];
        let input_file = cursor.text(FILE_NAME_BYTES);
        let report_file = cursor.text(FILE_NAME_BYTES);
        let chemical_name = cursor.text(ID_BYTES);
        let quality_units = cursor.text(ID_BYTES);
        let node_ids = (0..node_count).map(|_| cursor.text(ID_BYTES)).collect();
        let link_ids = (0..link_count).map(|_| cursor.text(ID_BYTES)).collect();
        let link_from = cursor.ints(link_count);
        let link_to = cursor.ints(link_count);
        let link_type = cursor.ints(link_count);
        let tank_node = cursor.ints(tank_count);
        let tank_area = cursor.floats(tank_count);
        let node_elevation = cursor.floats(node_count);
        let link_length = cursor.floats(link_count);
        let link_diameter = cursor.floats(link_count);
        let prolog = Prolog {
            version: word(1),
            node_count,
            tank_count,
            link_count,
            pump_count,
            valve_count,
            quality_code: word(7),
            trace_node: word(8),
            flow_units_code: word(9),
            pressure_units_code: word(10),
            statistic_code: word(11),
            report_start: word(12),
            report_step: word(13),
            duration: word(14),
            title,
            input_file,
            report_file,
            chemical_name,
            quality_units,
            node_ids,
            link_ids,
            link_from,
            link_to,
            link_type,
            tank_node,
            tank_area,
            node_elevation,
            link_length,
            link_diameter,
        };
        for (k, (&from, &to)) in prolog.link_from.iter().zip(&prolog.link_to).enumerate() {
            let valid = |n: i32| n >= 1 && n as usize <= node_count;
            if !valid(from) || !valid(to) {
                return Err(malformed(format!(
                    "link {} ({}) joins nodes {from} and {to}, outside 1..={node_count}",
                    k + 1,
                    prolog.link_ids[k]
                )));
            }
        }

        let pumps = (0..pump_count)
            .map(|_| {
                let link_index = cursor.int();
                let figures = cursor.floats(6);
                PumpEnergy {
                    link_index,
                    utilization: figures[0],
                    average_efficiency: figures[1],
                    kwh_per_volume: figures[2],
                    average_kw: figures[3],
                    peak_kw: figures[4],
                    cost_per_day: figures[5],
                }
            })
            .collect();
        let energy = EnergySection {
            pumps,
            demand_charge: cursor.float(),
        };

        // The epilog sits at the end of the file.
        stream
            .seek(SeekFrom::Start(file_len - EPILOG_BYTES as u64))
            .map_err(io)?;
        let mut tail = [0u8; EPILOG_BYTES];
        stream.read_exact(&mut tail).map_err(io)?;
        let mut cursor = Words::new(&tail);
        let rates = cursor.floats(4);
        let period_count = cursor.int();
        let warning_flag = cursor.int();
        let closing_magic = cursor.int();
        if closing_magic != MAGIC_NUMBER {
            return Err(malformed(format!(
                "it ends with {closing_magic} where the magic number {MAGIC_NUMBER} belongs \
                 (an unfinished run?)"
            )));
        }
        let period_count = usize::try_from(period_count)
            .map_err(|_| malformed(format!("negative period count {period_count}")))?;
        let expected_len = results_offset
            + period_count as u64 * period_bytes(node_count, link_count)
            + EPILOG_BYTES as u64;
        if expected_len != file_len {
            return Err(malformed(format!(
                "{period_count} periods of {node_count} nodes and {link_count} links make a file \
                 of {expected_len} bytes, this one has {file_len}"
            )));
        }
        let epilog = Epilog {
            bulk_reaction_rate: rates[0],
            wall_reaction_rate: rates[1],
            tank_reaction_rate: rates[2],
            source_inflow_rate: rates[3],
            period_count,
            warning_flag,
        };
        Ok(OutReader {
            stream,
            path,
            prolog,
            energy,
            epilog,
        })
    }

    /// The prolog.
    pub fn prolog(&self) -> &Prolog {
        &self.prolog
    }

    /// The energy section.
    pub fn energy(&self) -> &EnergySection {
        &self.energy
    }

    /// The epilog.
    pub fn epilog(&self) -> &Epilog {
        &self.epilog
    }

    /// Number of reported periods.
    pub fn period_count(&self) -> usize {
        self.epilog.period_count
    }

    /// Elapsed time of a period, s.
    pub fn period_time(&self, period: usize) -> i64 {
        super::period_time(&self.prolog, period)
    }

    /// Reads one period (0-based) of dynamic results.
    pub fn read_period(&mut self, period: usize) -> Result<PeriodResults, OutputError> {
        let mut results = PeriodResults::default();
        self.read_period_into(period, &mut results)?;
        Ok(results)
    }

    /// Reads one period into arrays that are reused, to spare allocations in loops.
    pub fn read_period_into(
        &mut self,
        period: usize,
        results: &mut PeriodResults,
    ) -> Result<(), OutputError> {
        if period >= self.epilog.period_count {
            return Err(OutputError::Malformed {
                path: self.path.clone(),
                reason: format!(
                    "period {period} asked for, the file has {}",
                    self.epilog.period_count
                ),
            });
        }
        let nodes = self.prolog.node_count;
        let links = self.prolog.link_count;
        let offset = self.prolog.results_offset() + period as u64 * self.prolog.period_bytes();
        let path = &self.path;
        self.stream
            .seek(SeekFrom::Start(offset))
            .map_err(|e| OutputError::io(path, e))?;
        let mut bytes = vec![0u8; self.prolog.period_bytes() as usize];
        self.stream
            .read_exact(&mut bytes)
            .map_err(|e| OutputError::io(path, e))?;
        let mut cursor = Words::new(&bytes);
        for array in results.node_arrays_mut() {
            cursor.floats_into(nodes, array);
        }
        for array in results.link_arrays_mut() {
            cursor.floats_into(links, array);
        }
        debug_assert_eq!(
            NODE_QUANTITIES * nodes + LINK_QUANTITIES * links,
            bytes.len() / 4
        );
        Ok(())
    }

    /// Reads every period and returns the whole file.
    pub fn read_all(mut self) -> Result<OutFile, OutputError> {
        let periods = (0..self.epilog.period_count)
            .map(|p| self.read_period(p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(OutFile {
            prolog: self.prolog,
            energy: self.energy,
            periods,
            epilog: self.epilog,
        })
    }
}

/// A cursor over little-endian words in a buffer whose length was checked beforehand.
struct Words<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Words<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Words { bytes, position: 0 }
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        // ok: callers size the buffer from the same counts before reading it
        let slice = &self.bytes[self.position..self.position + n];
        self.position += n;
        slice
    }

    fn int(&mut self) -> i32 {
        let b = self.take(4);
        i32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    fn float(&mut self) -> f32 {
        let b = self.take(4);
        f32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    fn ints(&mut self, n: usize) -> Vec<i32> {
        (0..n).map(|_| self.int()).collect()
    }

    fn floats(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.float()).collect()
    }

    fn floats_into(&mut self, n: usize, out: &mut Vec<f32>) {
        out.clear();
        out.extend(
            self.take(4 * n)
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
    }

    /// A NUL-padded text field: the characters before the first NUL.
    fn text(&mut self, width: usize) -> String {
        let field = self.take(width);
        let end = field.iter().position(|&b| b == 0).unwrap_or(width);
        String::from_utf8_lossy(&field[..end]).into_owned()
    }
}
