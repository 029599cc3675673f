//! `danjiang convert IN OUT`: between an EPANET input file (.inp) and the JSON form of the
//! network model (.json, see docs/network-json.md), each side chosen by its extension; a canal
//! (SWMM 5 input, open-channel subset: a file with [CONDUITS]) into its JSON form (documented
//! in `danjiang_canal::json`).

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
    if is_canal(&args.input, input_format) {
        return convert_canal(args, output_format);
    }
    let network = read(&args.input, input_format)?;
    write(&network, &args.output, output_format)?;
    Ok(ExitCode::SUCCESS)
}

/// Whether the file is a canal: SWMM input (a [CONDUITS] section) or canal JSON (its tag).
fn is_canal(path: &Path, format: Format) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    match format {
        Format::Inp => text
            .lines()
            .any(|l| l.trim().eq_ignore_ascii_case("[CONDUITS]")),
        Format::Json => danjiang_canal::json::is_canal(&text),
    }
}

fn convert_canal(args: &ConvertArgs, output: Format) -> anyhow::Result<ExitCode> {
    let model = super::canal::read_model(&args.input)?;
    match output {
        Format::Json => {
            let text = danjiang_canal::json::to_string(&model)?;
            std::fs::write(&args.output, text + "\n")
                .with_context(|| format!("{}: cannot write the canal", args.output.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        Format::Inp => bail!(
            "{}: a canal is written as JSON only (its SWMM input is the file it came from); \
             `danjiang canal run|spill` read the .json directly",
            args.output.display()
        ),
    }
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
