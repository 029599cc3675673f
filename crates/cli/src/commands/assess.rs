//! `danjiang assess FILE.csv`: assesses water-quality samples by GB 3838-2002 and the 2011
//! evaluation method, per site and sampling time (or month, or year), with alerts and trends.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use danjiang_assessment::{
    aggregate, alerts, assess, grade_river_periods, read_samples_csv, site_trends, AssessOptions,
    EvaluationMethod, Period, RiverGrading, SiteAssessment, Standard, TrendDirection, WaterBody,
    WaterClass,
};
use serde_json::json;

/// Appends a formatted line to the output text.
macro_rules! push_line {
    ($out:expr) => {
        $out.push('\n')
    };
    ($out:expr, $($arg:tt)*) => {{
        $out.push_str(&format!($($arg)*));
        $out.push('\n');
    }};
}

/// Writes the output at once; a closed pipe (`| head`) ends quietly instead of panicking.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// A plain-text table.
    Table,
    /// JSON for other programs.
    Json,
}

/// Assess water-quality samples by GB 3838-2002 (single-factor method, 2011 evaluation method).
///
/// FILE is a CSV file with a header naming the columns site,time,item,value,unit. Items are the
/// standard's codes (DO, CODMn, NH3N, TP, fecal_coliform, ...); values may be written <0.01 or
/// 0.01L for results below detection; units are converted (µg/L, MPN/100mL, ...). Exit status 1
/// on bad input, naming the line and field.
#[derive(Args, Debug)]
pub struct AssessArgs {
    /// The samples, as CSV with columns site,time,item,value,unit.
    pub file: PathBuf,

    /// River (and canal) or lake (and reservoir): picks the TP column and whether TN is classed.
    #[arg(long, default_value = "river", value_parser = parse_water_body)]
    pub water_body: WaterBody,

    /// The class the water must meet (I to V); the canal's target is II.
    #[arg(long, default_value = "II", value_parser = parse_class)]
    pub target: WaterClass,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Assess each sample, or monthly means, or yearly means of monthly means.
    #[arg(long, default_value = "sample", value_parser = parse_period)]
    pub period: Period,

    /// Add trend tests (Mann-Kendall, Sen's slope, Spearman) per site and item over the periods.
    #[arg(long)]
    pub trend: bool,

    /// Grade the river (or canal) per period from all its sites: by the share of sections in
    /// each class with five or more sites, else by their mean concentrations. Needs --period
    /// month or year.
    #[arg(long)]
    pub grade_river: bool,

    /// Significance level of the trend tests.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,

    /// Share of the detection limit a below-detection value counts as (default: the method's, 0.5).
    #[arg(long)]
    pub below_detection_factor: Option<f64>,

    /// A standard edition as JSON, instead of the embedded GB 3838-2002.
    #[arg(long)]
    pub standard: Option<PathBuf>,

    /// An evaluation method as JSON, instead of the embedded 2011 method.
    #[arg(long)]
    pub method: Option<PathBuf>,
}

fn parse_water_body(s: &str) -> Result<WaterBody, String> {
    s.parse()
}

fn parse_class(s: &str) -> Result<WaterClass, String> {
    match s.parse::<WaterClass>() {
        Ok(WaterClass::WorseThanV) => Err("the target must be one of I, II, III, IV, V".into()),
        Ok(c) => Ok(c),
        Err(e) => Err(e.to_string()),
    }
}

fn parse_period(s: &str) -> Result<Period, String> {
    s.parse()
}

/// Runs the assessment and prints it.
pub fn run(args: &AssessArgs) -> anyhow::Result<ExitCode> {
    let standard = match &args.standard {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Standard::from_json(&path.display().to_string(), &text)?
        }
        None => Standard::gb3838_2002()?,
    };
    let method = match &args.method {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            EvaluationMethod::from_json(&path.display().to_string(), &text)?
        }
        None => EvaluationMethod::evaluation_2011()?,
    };
    let factor = args
        .below_detection_factor
        .unwrap_or(method.below_detection_factor);
    if !(0.0..=1.0).contains(&factor) {
        anyhow::bail!("--below-detection-factor must lie between 0 and 1, got {factor}");
    }
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let measurements = read_samples_csv(
        &args.file.display().to_string(),
        std::io::BufReader::new(file),
        &standard,
        factor,
    )?;
    let options = AssessOptions {
        water_body: args.water_body,
        target: args.target,
    };
    let sets = aggregate(&measurements, args.period);
    let assessments: Vec<SiteAssessment> = sets
        .iter()
        .map(|s| assess(s, &standard, &method, options))
        .collect();
    let alerts = alerts(&measurements, &standard, options);
    let river = if args.grade_river {
        if args.period == Period::Sample {
            anyhow::bail!("--grade-river needs --period month or --period year");
        }
        Some(grade_river_periods(&sets, &standard, &method, options)?)
    } else {
        None
    };
    let trends = if args.trend {
        Some(site_trends(&sets, args.alpha, 3))
    } else {
        None
    };
    let mut text = String::new();
    match args.format {
        Format::Json => {
            let mut out = json!({
                "standard": {"name": standard.name, "edition": standard.edition},
                "method": {"name": method.name, "edition": method.edition},
                "water_body": args.water_body,
                "target": args.target,
                "period": args.period,
                "assessments": assessments,
                "alerts": alerts,
            });
            if let Some(trends) = trends {
                out["trends"] = serde_json::to_value(trends)?;
            }
            if let Some(river) = &river {
                out["river"] = serde_json::to_value(river)?;
            }
            push_line!(text, "{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Table => {
            push_line!(
                text,
                "{} ({}), {:?} water body, target Class {}, by {}",
                standard.name,
                method.name,
                args.water_body,
                args.target,
                match args.period {
                    Period::Sample => "sample",
                    Period::Month => "monthly mean",
                    Period::Year => "yearly mean of monthly means",
                }
            );
            push_line!(
                text,
                "{:<16} {:<20} {:<13} {:<18} {:<6} {:<24} main pollutants",
                "site",
                "time",
                "class",
                "grade",
                "target",
                "limiting"
            );
            for a in &assessments {
                push_line!(
                    text,
                    "{:<16} {:<20} {:<13} {:<18} {:<6} {:<24} {}",
                    a.site,
                    a.time,
                    a.class.map(|c| c.to_string()).unwrap_or_else(|| "-".into()),
                    a.grade.as_ref().map(|g| g.en.as_str()).unwrap_or("-"),
                    if a.meets_target { "meets" } else { "FAILS" },
                    a.limiting.join(","),
                    a.main_pollutants
                        .iter()
                        .map(|c| match a.exceedance.get(c) {
                            Some(m) => format!("{c} ({m:.2}x over III)"),
                            None => c.clone(),
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            if !alerts.is_empty() {
                push_line!(text);
                push_line!(
                    text,
                    "{} alert(s): values worse than Class {}",
                    alerts.len(),
                    args.target
                );
                for a in &alerts {
                    push_line!(
                        text,
                        "  {} {} {} = {} {} (Class {}){}",
                        a.site,
                        a.time,
                        a.item,
                        a.value,
                        a.unit,
                        a.class,
                        a.exceedance_over_target
                            .map(|m| format!(", {m:.2}x over the target limit"))
                            .unwrap_or_default()
                    );
                }
            }
            if let Some(river) = &river {
                push_line!(text);
                for period in river {
                    let words = match &period.grading {
                        RiverGrading::SectionShares(g) => format!(
                            "{} ({} sections, {:.0}% in I-III, {:.0}% worse than V)",
                            g.grade.en,
                            g.sections,
                            g.share_i_iii * 100.0,
                            g.share_worse_than_v * 100.0
                        ),
                        RiverGrading::SectionMeans {
                            sections,
                            class,
                            grade,
                        } => format!(
                            "{} (Class {} from the mean of {sections} sections)",
                            grade.as_ref().map(|g| g.en.as_str()).unwrap_or("-"),
                            class.map(|c| c.to_string()).unwrap_or_else(|| "-".into())
                        ),
                        RiverGrading::TooFewSections { sections, .. } => {
                            format!("not graded ({sections} sections)")
                        }
                    };
                    push_line!(text, "river grade {}: {}", period.time, words);
                }
            }
            if let Some(trends) = trends {
                push_line!(text);
                push_line!(
                    text,
                    "{:<16} {:<8} {:>4} {:>14} {:>9} {:>8} {:>9} direction",
                    "site",
                    "item",
                    "n",
                    "Sen slope/yr",
                    "MK p",
                    "rho",
                    "rho p"
                );
                for t in &trends {
                    push_line!(
                        text,
                        "{:<16} {:<8} {:>4} {:>14.6} {:>9.4} {:>8.3} {:>9.4} {}",
                        t.site,
                        t.item,
                        t.trend.n,
                        t.trend.sen.slope,
                        t.trend.mann_kendall.p_value,
                        t.trend.spearman.rho,
                        t.trend.spearman.p_value,
                        match t.trend.direction {
                            TrendDirection::Increasing => "increasing",
                            TrendDirection::Decreasing => "decreasing",
                            TrendDirection::NoTrend => "no trend",
                        }
                    );
                }
            }
        }
    }
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}
