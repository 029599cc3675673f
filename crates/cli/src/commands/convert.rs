//! `danjiang convert IN OUT`: between an EPANET input file (.inp) and the JSON form of the
//! network model (.json, see docs/network-json.md), each side chosen by its extension.

use anyhow::{bail, Context};
use danjiang_network::{inp, json, Network};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Convert a network between EPANET .inp and the documented JSON form (by extension).
#[derive(clap::Args, Debug)]
pub struct ConvertArgs {
    /// The network to read: an EPANET input file (.inp) or the JSON form (.json).
    pub input: PathBuf,
    /// The file to write: .inp or .json. An existing file is replaced.
    pub output: PathBuf,
}

/// The two file formats a network can be converted between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Inp,
    Json,
}

impl Format {
    fn of(path: &Path) -> anyhow::Result<Format> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("inp") => Ok(Format::Inp),
            Some("json") => Ok(Format::Json),
            _ => bail!(
                "{}: cannot tell the format from the file name: expected an extension of \
                 .inp (EPANET input) or .json (network JSON)",
                path.display()
            ),
        }
    }
}

/// Runs the conversion.
pub fn run(args: &ConvertArgs) -> anyhow::Result<ExitCode> {
    let input_format = Format::of(&args.input)?;
    let output_format = Format::of(&args.output)?;
    let network = read(&args.input, input_format)?;
    write(&network, &args.output, output_format)?;
    Ok(ExitCode::SUCCESS)
}

fn read(path: &Path, format: Format) -> anyhow::Result<Network> {
    match format {
        Format::Inp => {
            let outcome = inp::read_file(path)
                .with_context(|| format!("{}: not a network EPANET 2.3 accepts", path.display()))?;
            for warning in &outcome.warnings {
                eprintln!("warning: {warning}");
            }
            Ok(outcome.network)
        }
        Format::Json => Ok(json::read_file(path)?),
    }
}

fn write(network: &Network, path: &Path, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Inp => inp::writer::write_file(network, path)
            .with_context(|| format!("{}: cannot write the network", path.display())),
        Format::Json => json::write_file(network, path)
            .with_context(|| format!("{}: cannot write the network", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(Format::of(Path::new("a/net.INP")).ok(), Some(Format::Inp));
        assert_eq!(Format::of(Path::new("net.json")).ok(), Some(Format::Json));
        let error = Format::of(Path::new("net.txt")).expect_err("unknown extension");
        assert!(error.to_string().starts_with("net.txt:"), "{error}");
    }
}
