//! Writes the benchmark data of scripts/bench-ledger.sh: a small register (one county, 25 plants,
//! 25 releases), 50 meters, and 5-minute readings for each meter over 10 years (one CSV per
//! meter, about 1.05 million rows each), seeded.
//!
//! `cargo run --release -p danjiang-ops --example bench_readings -- DIR [METERS] [YEARS]`

use std::fmt::Write as _;
use std::io::Write as _;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "target/bench-ledger".into()));
    let meters: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let years: i64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    std::fs::create_dir_all(dir.join("readings"))?;
    std::fs::write(
        dir.join("counties.csv"),
        "code,name,kind\nbench,Bench county,county\n",
    )?;
    let mut assets = String::from("code,kind,name,county,capacity_m3_per_day\n");
    let mut meter_rows = String::from("code,asset,point,reading_kind,rollover_m3,max_gap_hours\n");
    let mut uses = String::from("meter,use,share\n");
    for m in 0..meters {
        let plant = m % 2 == 0;
        let asset = format!("B{m:02}");
        let code = format!("M-B{m:02}");
        if plant {
            let _ = writeln!(assets, "{asset},plant,Bench plant {m},bench,100000");
            let _ = writeln!(
                meter_rows,
                "{code},{asset},plant_intake,totaliser,100000000,0.5"
            );
            let _ = writeln!(uses, "{code},domestic,1");
        } else {
            let _ = writeln!(assets, "{asset},release,Bench release {m},bench,");
            let _ = writeln!(
                meter_rows,
                "{code},{asset},ecological_release,flow_rate,,0.5"
            );
            let _ = writeln!(uses, "{code},ecological,1");
        }
    }
    std::fs::write(dir.join("assets.csv"), assets)?;
    std::fs::write(dir.join("meters.csv"), meter_rows)?;
    std::fs::write(dir.join("uses.csv"), uses)?;

    let start = chrono::NaiveDate::from_ymd_opt(2011, 11, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a valid date"); // ok: constant
    let steps = years * 365 * 288;
    let mut rng = ChaCha8Rng::seed_from_u64(52);
    for m in 0..meters {
        let code = format!("M-B{m:02}");
        let file = std::fs::File::create(dir.join("readings").join(format!("{code}.csv")))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        writeln!(out, "meter,time,value")?;
        let mut register = 0.0f64;
        let base = rng.gen_range(0.2..1.2); // m³/s
        for step in 0..steps {
            let time = start + chrono::Duration::seconds(step * 300);
            let flow = base * rng.gen_range(0.9..1.1);
            if m % 2 == 0 {
                writeln!(
                    out,
                    "{code},{},{:.1}",
                    time.format("%Y-%m-%d %H:%M"),
                    register % 1e8
                )?;
                register += flow * 300.0;
            } else {
                writeln!(out, "{code},{},{:.4}", time.format("%Y-%m-%d %H:%M"), flow)?;
            }
        }
        out.flush()?;
        eprintln!("{code}: {steps} readings");
    }
    Ok(())
}
