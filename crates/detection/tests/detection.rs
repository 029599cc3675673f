//! Detection rate, time to detect and false alarms of the CANARY-style detector, measured on
//! series made here with known events (autocorrelated noise, diurnal cycle, drift, dropouts).
//! The figures are printed for BENCHMARKS.md; the asserts are the acceptance.

use danjiang_detection::synthetic::{SeriesShape, SyntheticEvent};
use danjiang_detection::{Channel, Detector, Events, Settings};

const WEEK: usize = 7 * 1440;
/// Noise spread of the made channel (NTU); event sizes are multiples of it.
const NOISE: f64 = 0.05;

fn shape(steps: usize, event: Option<SyntheticEvent>) -> SeriesShape {
    SeriesShape {
        steps,
        steps_per_day: 1440,
        level: 0.8,
        diurnal_amplitude: 0.1,
        noise: NOISE,
        autocorrelation: 0.9,
        drift_per_day: 0.02,
        dropout_chance: 1.0 / 2000.0,
        dropout_steps: 10,
        event,
    }
}

fn events_of(settings: Settings, series: &[Option<f64>]) -> Vec<danjiang_detection::Event> {
    let channel = Channel {
        name: "turbidity".into(),
        precision: 0.001,
    };
    let mut detector = Detector::new(settings, vec![channel]).unwrap();
    let mut events = Events::new(settings.bed_window);
    for (index, value) in series.iter().enumerate() {
        let step = detector.step(&[*value]).unwrap();
        events.record(index, &step);
    }
    events.finish()
}

/// Share of events detected within 30 steps, and the median steps to detect them.
fn detection(settings: Settings, size_in_noise: f64, ramp_steps: usize, trials: u64) -> (f64, f64) {
    let mut delays = Vec::new();
    for trial in 0..trials {
        let start = 300 + (trial as usize * 37) % 200;
        let event = SyntheticEvent {
            start,
            size: size_in_noise * NOISE,
            ramp_steps,
        };
        let series = shape(start + 90, Some(event)).make(1000 + trial);
        let found = events_of(settings, &series)
            .into_iter()
            .find(|e| e.end >= start && e.start <= start + 30);
        if let Some(found) = found.filter(|e| e.start >= start) {
            delays.push((found.start - start) as f64);
        }
    }
    let rate = delays.len() as f64 / trials as f64;
    delays.sort_by(f64::total_cmp);
    let median = delays.get(delays.len() / 2).copied().unwrap_or(f64::NAN);
    (rate, median)
}

fn false_alarms_per_week(settings: Settings, weeks: u64) -> f64 {
    let count: usize = (0..weeks)
        .map(|week| events_of(settings, &shape(WEEK, None).make(77 + week)).len())
        .sum();
    count as f64 / weeks as f64
}

/// Not yet met, so ignored: with CANARY's defaults on this noise (lag-one autocorrelation 0.9)
/// the detector raises about 400 false events per channel-week and finds 65 % of 3 sd steps;
/// higher outlier thresholds and shorter prediction orders trade one for the other (2.5 sd,
/// order 2: 2 per week, 73 %). Outliers kept out of the history freeze the prediction while
/// the noise wanders on, so one noise excursion sustains itself into an event.
#[test]
#[ignore = "acceptance not met yet: see the figures above"]
fn three_sigma_events_are_found_within_half_an_hour_with_few_false_alarms() {
    let settings = Settings::default();
    for (size, ramp) in [(2.0, 0), (3.0, 0), (5.0, 0), (3.0, 10)] {
        let (rate, median) = detection(settings, size, ramp, 100);
        println!(
            "{size} sd, ramp {ramp} steps: detected {:.0} % within 30 min, median {median} min",
            rate * 100.0
        );
        if size >= 3.0 && ramp == 0 {
            assert!(rate >= 0.95, "{size} sd step events detected in {rate}");
        }
    }
    let false_alarms = false_alarms_per_week(settings, 10);
    println!("noise only: {false_alarms} false alarms per channel-week");
    assert!(
        false_alarms < 1.0,
        "{false_alarms} false alarms per channel-week"
    );
}
