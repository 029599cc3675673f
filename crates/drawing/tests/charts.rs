//! Charts: well-formed SVG, escaped text, the structure the data asks for.

use danjiang_drawing::{
    bar_chart, donut_chart, line_chart, BarChart, BarMode, BarSeries, DonutChart, DrawingError,
    LineChart, Series, Slice, XAxis,
};
use roxmltree::Document;

fn parse(svg: &str) -> Document<'_> {
    match Document::parse(svg) {
        Ok(document) => document,
        Err(error) => panic!("not well-formed XML: {error}\n{svg}"),
    }
}

/// Every element with this class (a class among several).
fn with_class<'a>(document: &'a Document<'a>, class: &str) -> Vec<roxmltree::Node<'a, 'a>> {
    document
        .descendants()
        .filter(|n| {
            n.attribute("class")
                .is_some_and(|c| c.split_whitespace().any(|w| w == class))
        })
        .collect()
}

/// Every text under the document, joined.
fn all_text(document: &Document) -> String {
    document
        .descendants()
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("|")
}

const HOSTILE: &str = "<script>alert('x')</script> & \"q\"";

#[test]
fn line_chart_draws_each_series_with_its_points() {
    let mut chart = LineChart::new("pressure", "Pressure at W001");
    chart.x_axis = XAxis::SimulationTime;
    chart.y_label = "Pressure (m)".into();
    chart.unit = "m".into();
    chart.series = vec![
        Series::new(
            "W001",
            (0..=24)
                .map(|h| (h as f64 * 3600.0, 30.0 + h as f64))
                .collect(),
        ),
        Series::new(
            "W002",
            (0..=24)
                .map(|h| (h as f64 * 3600.0, 20.0 - h as f64 * 0.5))
                .collect(),
        ),
    ];
    let svg = line_chart(&chart).unwrap();
    let document = parse(&svg);
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("role"), Some("img"));
    let title = root.first_element_child().unwrap();
    assert_eq!(title.tag_name().name(), "title");
    assert_eq!(title.text(), Some("Pressure at W001"));
    let lines = with_class(&document, "dj-line");
    assert_eq!(lines.len(), 2);
    for line in &lines {
        let d = line.attribute("d").unwrap();
        assert_eq!(d.matches('M').count(), 1);
        assert_eq!(d.matches('L').count(), 24);
    }
    assert_eq!(with_class(&document, "dj-point").len(), 50);
    // Simulation-time ticks are hours:minutes and include the start and the end.
    let text = all_text(&document);
    assert!(text.contains("0:00") && text.contains("24:00"), "{text}");
    assert!(text.contains("Pressure (m)"));
    // The first series rises, so its last point is higher on the page (smaller y).
    let d = lines[0].attribute("d").unwrap();
    let ys: Vec<f64> = d
        .split(['M', 'L'])
        .filter(|s| !s.is_empty())
        .map(|p| p.split(' ').nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(ys.first().unwrap() > ys.last().unwrap());
}

#[test]
fn gaps_break_the_line() {
    let mut chart = LineChart::new("gaps", "Gaps");
    chart.series = vec![Series::new(
        "s",
        vec![
            (0.0, 1.0),
            (1.0, 2.0),
            (2.0, f64::NAN),
            (3.0, 3.0),
            (4.0, 4.0),
        ],
    )];
    let svg = line_chart(&chart).unwrap();
    let document = parse(&svg);
    let d = with_class(&document, "dj-line")[0]
        .attribute("d")
        .unwrap()
        .to_string();
    assert_eq!(d.matches('M').count(), 2);
}

#[test]
fn text_is_escaped_everywhere() {
    let mut chart = LineChart::new("x\"><script>", HOSTILE);
    chart.description = Some(HOSTILE.into());
    chart.y_label = HOSTILE.into();
    chart.x_label = HOSTILE.into();
    chart.unit = HOSTILE.into();
    chart.thresholds = vec![(1.5, HOSTILE.into())];
    chart.marker = Some((0.5, HOSTILE.into()));
    chart.series = vec![Series::new(HOSTILE, vec![(0.0, 1.0), (1.0, 2.0)])];
    let svg = line_chart(&chart).unwrap();
    let document = parse(&svg);
    assert!(document
        .descendants()
        .all(|n| n.tag_name().name() != "script"));
    assert!(!svg.contains("<script>"));
    assert!(all_text(&document).contains(HOSTILE));

    let mut bars = BarChart::new("b", HOSTILE);
    bars.categories = vec![HOSTILE.into()];
    bars.series = vec![BarSeries::new(HOSTILE, vec![1.0])];
    bars.plan = Some(BarSeries::new(HOSTILE, vec![2.0]));
    let svg = bar_chart(&bars).unwrap();
    let document = parse(&svg);
    assert!(document
        .descendants()
        .all(|n| n.tag_name().name() != "script"));

    let mut donut = DonutChart::new("d", HOSTILE);
    donut.slices = vec![Slice::new(HOSTILE, 1.0)];
    donut.unit = HOSTILE.into();
    let svg = donut_chart(&donut).unwrap();
    let document = parse(&svg);
    assert!(document
        .descendants()
        .all(|n| n.tag_name().name() != "script"));
}

#[test]
fn chinese_labels_pass_through_with_a_cjk_font_fallback() {
    let mut chart = BarChart::new("monthly", "许昌 月供水量");
    chart.categories = vec!["一月".into(), "二月".into()];
    chart.series = vec![
        BarSeries::new("生活", vec![1.0, 2.0]),
        BarSeries::new("生态", vec![3.0, 1.0]),
    ];
    chart.y_label = "供水量 (万 m³)".into();
    let svg = bar_chart(&chart).unwrap();
    let document = parse(&svg);
    let text = all_text(&document);
    for word in ["许昌 月供水量", "一月", "生活", "生态", "供水量 (万 m³)"] {
        assert!(text.contains(word), "{word} missing in {text}");
    }
    let font = document.root_element().attribute("font-family").unwrap();
    assert!(font.contains("Noto Sans CJK SC") && font.ends_with("sans-serif"));
}

#[test]
fn grouped_bars_one_rect_per_finite_value_and_plan_marks() {
    let mut chart = BarChart::new("deliveries", "Deliveries against plan");
    chart.categories = (1..=12).map(|m| format!("2020-{m:02}")).collect();
    chart.series = vec![
        BarSeries::new("Domestic", (1..=12).map(|m| m as f64 * 100.0).collect()),
        BarSeries::new(
            "Ecological",
            (1..=12)
                .map(|m| if m == 6 { f64::NAN } else { 50.0 })
                .collect(),
        ),
    ];
    chart.plan = Some(BarSeries::new("Plan", vec![1000.0; 12]));
    chart.unit = "万 m³".into();
    let svg = bar_chart(&chart).unwrap();
    let document = parse(&svg);
    assert_eq!(with_class(&document, "dj-bar").len(), 23);
    let plan = with_class(&document, "dj-plan");
    let in_plot = |n: &roxmltree::Node| {
        n.tag_name().name() == "g"
            && n.parent_element()
                .and_then(|p| p.attribute("class"))
                .is_some_and(|c| c.contains("dj-plot"))
    };
    let plan_group = plan.iter().find(|n| in_plot(n)).unwrap();
    assert_eq!(plan_group.children().filter(|n| n.is_element()).count(), 12);
    // Taller value, taller bar.
    let heights: Vec<f64> = with_class(&document, "dj-series-0")
        .iter()
        .filter(|n| in_plot(n))
        .flat_map(|g| g.children().filter(|n| n.is_element()))
        .map(|r| r.attribute("height").unwrap().parse().unwrap())
        .collect();
    assert_eq!(heights.len(), 12);
    assert!(heights.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn stacked_bars_sit_on_one_another() {
    let mut chart = BarChart::new("stack", "Stacked");
    chart.mode = BarMode::Stacked;
    chart.categories = vec!["a".into()];
    chart.series = vec![
        BarSeries::new("one", vec![30.0]),
        BarSeries::new("two", vec![10.0]),
    ];
    let svg = bar_chart(&chart).unwrap();
    let document = parse(&svg);
    let bars = with_class(&document, "dj-bar");
    let rect = |i: usize| {
        let y: f64 = bars[i].attribute("y").unwrap().parse().unwrap();
        let h: f64 = bars[i].attribute("height").unwrap().parse().unwrap();
        (y, h)
    };
    let (y0, h0) = rect(0);
    let (y1, h1) = rect(1);
    // The second bar ends where the first begins, and is a third as tall.
    assert!((y1 + h1 - y0).abs() < 0.15, "{y0} {h0} {y1} {h1}");
    assert!((h0 / h1 - 3.0).abs() < 0.05);
}

#[test]
fn stacked_areas_add_up_and_mismatched_series_are_refused() {
    let mut chart = LineChart::new("cumulative", "Cumulative supply");
    chart.x_axis = XAxis::DateTime;
    chart.stacked = true;
    let days: Vec<f64> = (0..365).map(|d| 1.5e9 + d as f64 * 86400.0).collect();
    chart.series = vec![
        Series::new("Domestic", days.iter().map(|&t| (t, 1.0)).collect()),
        Series::new("Ecological", days.iter().map(|&t| (t, 2.0)).collect()),
    ];
    let svg = line_chart(&chart).unwrap();
    let document = parse(&svg);
    assert_eq!(with_class(&document, "dj-area").len(), 2);
    chart.series[1].points.pop();
    assert!(matches!(
        line_chart(&chart),
        Err(DrawingError::LengthMismatch {
            expected: 365,
            found: 364,
            ..
        })
    ));
}

#[test]
fn donut_slices_and_shares() {
    let mut chart = DonutChart::new("split", "Cumulative supply by use");
    chart.unit = "亿 m³".into();
    chart.slices = vec![Slice::new("Domestic", 4.86), Slice::new("Ecological", 5.29)];
    let svg = donut_chart(&chart).unwrap();
    let document = parse(&svg);
    assert_eq!(with_class(&document, "dj-slice").len(), 2);
    let text = all_text(&document);
    assert!(text.contains("47.9 %") && text.contains("52.1 %"), "{text}");
    assert!(text.contains("10.2 亿 m³"), "{text}");
    // One slice alone is a full ring.
    chart.slices = vec![Slice::new("All", 3.0), Slice::new("None", 0.0)];
    let svg = donut_chart(&chart).unwrap();
    let document = parse(&svg);
    assert_eq!(with_class(&document, "dj-slice").len(), 1);
}

#[test]
fn empty_charts_say_so_and_bad_input_is_an_error() {
    let chart = LineChart::new("empty", "Nothing yet");
    let svg = line_chart(&chart).unwrap();
    let document = parse(&svg);
    assert_eq!(with_class(&document, "dj-no-data").len(), 1);
    let mut bars = BarChart::new("b", "b");
    bars.categories = vec!["a".into(), "b".into()];
    bars.series = vec![BarSeries::new("s", vec![1.0])];
    assert!(matches!(
        bar_chart(&bars),
        Err(DrawingError::LengthMismatch {
            expected: 2,
            found: 1,
            ..
        })
    ));
    let mut small = LineChart::new("s", "s");
    small.width = f64::NAN;
    assert!(matches!(
        line_chart(&small),
        Err(DrawingError::BadSize { .. })
    ));
    let empty_donut = DonutChart::new("d", "d");
    parse(&donut_chart(&empty_donut).unwrap());
}
