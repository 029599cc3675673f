//! Acceptance tests of GB 3838-2002 item classes, the single-factor method, aggregation, river
//! grading, alerts and sample input. The table below is a second, independent copy of Tables 1
//! and 2 (typed from the standard, not read from the crate's data) so a typo in either shows.

use danjiang_assessment::samples::SampleSet;
use danjiang_assessment::{
    aggregate, alerts, assess, grade_river, read_samples_csv, AssessOptions, AssessmentError,
    EvaluationMethod, Period, RiverGrading, Standard, WaterBody, WaterClass,
};
use std::collections::BTreeMap;

use WaterClass::{WorseThanV, I, II, III, IV, V};

/// (code, upper (true) or lower limit, limits I..V) for rivers.
const TABLE_1: &[(&str, bool, [f64; 5])] = &[
    ("DO", false, [7.5, 6.0, 5.0, 3.0, 2.0]),
    ("CODMn", true, [2.0, 4.0, 6.0, 10.0, 15.0]),
    ("COD", true, [15.0, 15.0, 20.0, 30.0, 40.0]),
    ("BOD5", true, [3.0, 3.0, 4.0, 6.0, 10.0]),
    ("NH3N", true, [0.15, 0.5, 1.0, 1.5, 2.0]),
    ("TP", true, [0.02, 0.1, 0.2, 0.3, 0.4]),
    ("Cu", true, [0.01, 1.0, 1.0, 1.0, 1.0]),
    ("Zn", true, [0.05, 1.0, 1.0, 2.0, 2.0]),
    ("F", true, [1.0, 1.0, 1.0, 1.5, 1.5]),
    ("Se", true, [0.01, 0.01, 0.01, 0.02, 0.02]),
    ("As", true, [0.05, 0.05, 0.05, 0.1, 0.1]),
    ("Hg", true, [0.00005, 0.00005, 0.0001, 0.001, 0.001]),
    ("Cd", true, [0.001, 0.005, 0.005, 0.005, 0.01]),
    ("Cr6", true, [0.01, 0.05, 0.05, 0.05, 0.1]),
    ("Pb", true, [0.01, 0.01, 0.05, 0.05, 0.1]),
    ("CN", true, [0.005, 0.05, 0.2, 0.2, 0.2]),
    ("phenol", true, [0.002, 0.002, 0.005, 0.01, 0.1]),
    ("oil", true, [0.05, 0.05, 0.05, 0.5, 1.0]),
    ("LAS", true, [0.2, 0.2, 0.2, 0.3, 0.3]),
    ("S2", true, [0.05, 0.1, 0.2, 0.5, 1.0]),
    (
        "fecal_coliform",
        true,
        [200.0, 2000.0, 10000.0, 20000.0, 40000.0],
    ),
];
const TP_LAKE: [f64; 5] = [0.01, 0.025, 0.05, 0.1, 0.2];
const TN_LAKE: [f64; 5] = [0.2, 0.5, 1.0, 1.5, 2.0];
const TABLE_2: &[(&str, f64)] = &[
    ("SO4", 250.0),
    ("Cl", 250.0),
    ("NO3N", 10.0),
    ("Fe", 0.3),
    ("Mn", 0.1),
];
const CLASSES: [WaterClass; 5] = [I, II, III, IV, V];

fn gb() -> Standard {
    Standard::gb3838_2002().expect("embedded standard loads")
}

fn method() -> EvaluationMethod {
    EvaluationMethod::evaluation_2011().expect("embedded method loads")
}

/// The class a value takes, worked out from the test's own copy of the table.
fn expected_class(upper: bool, limits: &[f64; 5], value: f64) -> WaterClass {
    for (class, limit) in CLASSES.iter().zip(limits) {
        if (upper && value <= *limit) || (!upper && value >= *limit) {
            return *class;
        }
    }
    WorseThanV
}

fn check_row(standard: &Standard, code: &str, upper: bool, limits: &[f64; 5], body: WaterBody) {
    let item = standard
        .item(code)
        .unwrap_or_else(|| panic!("item {code} in the standard"));
    for (i, limit) in limits.iter().enumerate() {
        // At the limit: meets it, and equal limits of better classes give the best class.
        let best_equal = limits.iter().position(|l| l == limit).unwrap();
        assert_eq!(
            item.classify(*limit, body),
            Some(CLASSES[best_equal]),
            "{code} at the Class {} limit {limit} ({body:?})",
            CLASSES[i]
        );
        for value in [limit * 0.999, limit * 1.001] {
            assert_eq!(
                item.classify(value, body),
                Some(expected_class(upper, limits, value)),
                "{code} = {value} near the Class {} limit ({body:?})",
                CLASSES[i]
            );
        }
    }
}

#[test]
fn every_table_1_item_at_and_around_each_limit() {
    let standard = gb();
    for (code, upper, limits) in TABLE_1 {
        check_row(&standard, code, *upper, limits, WaterBody::River);
        if *code != "TP" {
            check_row(&standard, code, *upper, limits, WaterBody::Lake);
        }
    }
    check_row(&standard, "TP", true, &TP_LAKE, WaterBody::Lake);
    check_row(&standard, "TN", true, &TN_LAKE, WaterBody::Lake);
}

#[test]
fn every_table_2_item_has_one_limit() {
    let standard = gb();
    for (code, limit) in TABLE_2 {
        let item = standard.item(code).unwrap();
        assert_eq!(item.table, 2);
        for body in [WaterBody::River, WaterBody::Lake] {
            assert_eq!(item.classify(*limit, body), Some(I), "{code} at its limit");
            assert_eq!(
                item.classify(limit * 0.5, body),
                Some(I),
                "{code} below its limit"
            );
            assert_eq!(
                item.classify(limit * 1.001, body),
                Some(WorseThanV),
                "{code} over its limit"
            );
        }
    }
}

#[test]
fn dissolved_oxygen_is_a_lower_limit() {
    let item = gb();
    let item = item.item("DO").unwrap();
    let body = WaterBody::River;
    assert_eq!(item.classify(9.0, body), Some(I));
    assert_eq!(item.classify(7.5, body), Some(I));
    assert_eq!(item.classify(7.49, body), Some(II));
    assert_eq!(item.classify(5.5, body), Some(III));
    assert_eq!(item.classify(2.0, body), Some(V));
    assert_eq!(item.classify(1.99, body), Some(WorseThanV));
    // DO has no exceedance multiple: lower is worse, the (C - L) / L form does not apply.
    assert_eq!(item.exceedance_over(1.0, III, body), None);
}

#[test]
fn ph_passes_inside_6_to_9_and_fails_outside() {
    let standard = gb();
    let ph = standard.item("pH").unwrap();
    for v in [6.0, 7.2, 9.0] {
        assert_eq!(ph.classify(v, WaterBody::River), Some(I), "pH {v}");
    }
    for v in [5.99, 9.01, 3.0, 11.0] {
        assert_eq!(ph.classify(v, WaterBody::River), Some(WorseThanV), "pH {v}");
    }
}

#[test]
fn total_phosphorus_river_against_lake() {
    let standard = gb();
    let tp = standard.item("TP").unwrap();
    assert_eq!(tp.classify(0.05, WaterBody::River), Some(II));
    assert_eq!(tp.classify(0.05, WaterBody::Lake), Some(III));
    assert_eq!(tp.classify(0.15, WaterBody::River), Some(III));
    assert_eq!(tp.classify(0.15, WaterBody::Lake), Some(V));
    assert_eq!(tp.classify(0.25, WaterBody::Lake), Some(WorseThanV));
}

#[test]
fn total_nitrogen_only_for_lakes() {
    let standard = gb();
    let tn = standard.item("TN").unwrap();
    assert_eq!(tn.classify(0.4, WaterBody::River), None);
    assert_eq!(tn.classify(0.4, WaterBody::Lake), Some(II));
    // Even in a lake TN is reported, not part of the section class.
    let set = set(&[("TN", 3.0), ("DO", 8.0)]);
    let lake = AssessOptions {
        water_body: WaterBody::Lake,
        target: II,
    };
    let a = assess(&set, &gb(), &method(), lake);
    assert_eq!(a.items["TN"], Some(WorseThanV));
    assert_eq!(a.class, Some(I));
}

#[test]
fn equal_adjacent_limits_take_the_best_class() {
    let standard = gb();
    let body = WaterBody::River;
    for (code, value, class) in [
        ("COD", 15.0, I),
        ("BOD5", 3.0, I),
        ("Cu", 1.0, II),
        ("Zn", 2.0, IV),
        ("F", 1.0, I),
        ("Se", 0.01, I),
        ("As", 0.1, IV),
        ("Hg", 0.00005, I),
        ("Cd", 0.005, II),
        ("CN", 0.2, III),
        ("oil", 0.05, I),
        ("LAS", 0.3, IV),
    ] {
        assert_eq!(
            standard.item(code).unwrap().classify(value, body),
            Some(class),
            "{code} = {value}"
        );
    }
}

fn set(values: &[(&str, f64)]) -> SampleSet {
    SampleSet {
        site: "S1".into(),
        time: "2024-05-01".into(),
        values: values.iter().map(|(c, v)| (c.to_string(), *v)).collect(),
        below_detection: Vec::new(),
    }
}

#[test]
fn a_value_worse_than_v_makes_the_section_worse_than_v() {
    let a = assess(
        &set(&[("NH3N", 2.5), ("DO", 8.0), ("CODMn", 3.0)]),
        &gb(),
        &method(),
        AssessOptions::default(),
    );
    assert_eq!(a.class, Some(WorseThanV));
    assert_eq!(a.grade.as_ref().unwrap().en, "heavily polluted");
    assert_eq!(a.grade.as_ref().unwrap().zh, "重度污染");
    assert_eq!(a.limiting, vec!["NH3N"]);
    assert!(!a.meets_target);
    assert!((a.exceedance["NH3N"] - 1.5).abs() < 1e-12);
    assert_eq!(a.main_pollutants, vec!["NH3N"]);
    // DO below 2 alone is worse than V too.
    let a = assess(
        &set(&[("DO", 1.5)]),
        &gb(),
        &method(),
        AssessOptions::default(),
    );
    assert_eq!(a.class, Some(WorseThanV));
}

#[test]
fn grade_words_follow_the_class() {
    let m = method();
    let words: Vec<(WaterClass, &str, &str)> = vec![
        (I, "excellent", "优"),
        (II, "excellent", "优"),
        (III, "good", "良好"),
        (IV, "slightly polluted", "轻度污染"),
        (V, "moderately polluted", "中度污染"),
        (WorseThanV, "heavily polluted", "重度污染"),
    ];
    for (class, en, zh) in words {
        assert_eq!(m.grade(class).en, en);
        assert_eq!(m.grade(class).zh, zh);
    }
}

#[test]
fn section_class_limiting_items_exceedance_and_main_pollutants() {
    let sample = set(&[
        ("DO", 4.0),     // IV
        ("NH3N", 1.8),   // V, 0.8 over III
        ("TP", 0.35),    // V, 0.75 over III
        ("CODMn", 12.0), // V, 1.0 over III
        ("Cd", 0.006),   // V, 0.2 over III: a heavy metal, named first
        ("COD", 25.0),   // IV, 0.25 over III
        ("pH", 7.5),
        ("temp", 18.0),
        ("fecal_coliform", 50000.0),
    ]);
    let a = assess(&sample, &gb(), &method(), AssessOptions::default());
    assert_eq!(a.class, Some(V));
    assert_eq!(a.limiting, vec!["CODMn", "Cd", "NH3N", "TP"]);
    assert_eq!(a.main_pollutants, vec!["Cd", "CODMn", "NH3N"]);
    assert!((a.exceedance["CODMn"] - 1.0).abs() < 1e-12);
    assert!((a.exceedance["TP"] - 0.75).abs() < 1e-12);
    assert!((a.exceedance["COD"] - 0.25).abs() < 1e-12);
    assert!(!a.exceedance.contains_key("DO"));
    assert!(!a.exceedance.contains_key("pH"));
    // Over the target (Class II): NH3N (1.8 - 0.5) / 0.5.
    assert!((a.exceedance_over_target["NH3N"] - 2.6).abs() < 1e-12);
    // Reference items are classed but do not decide the section.
    assert_eq!(a.items["fecal_coliform"], Some(WorseThanV));
    assert_eq!(a.items["temp"], None);
    assert!(!a.limiting.contains(&"fecal_coliform".to_string()));
}

#[test]
fn ties_in_class_are_broken_by_the_larger_multiple() {
    let a = assess(
        &set(&[
            ("CODMn", 8.0),
            ("NH3N", 1.45),
            ("BOD5", 5.0),
            ("phenol", 0.009),
        ]),
        &gb(),
        &method(),
        AssessOptions::default(),
    );
    // All IV: multiples CODMn 0.333, NH3N 0.45, BOD5 0.25, phenol 0.8.
    assert_eq!(a.class, Some(IV));
    assert_eq!(a.main_pollutants, vec!["phenol", "NH3N", "CODMn"]);
}

#[test]
fn heavy_metals_and_cyanide_are_named_whenever_they_exceed() {
    let a = assess(
        &set(&[
            ("CODMn", 14.0),
            ("NH3N", 1.9),
            ("TP", 0.39),
            ("BOD5", 9.0),
            ("Pb", 0.06),
            ("CN", 0.21),
            ("Hg", 0.0002),
        ]),
        &gb(),
        &method(),
        AssessOptions::default(),
    );
    // CN (worse than V), Pb (V, 0.2 over III), Hg (IV, 1.0 over III) all exceed III: they come
    // before the worse non-metal items (CODMn, NH3N, TP, BOD5 in Class V), ordered among
    // themselves by class, and here fill the three places.
    assert_eq!(a.class, Some(WorseThanV));
    assert_eq!(a.main_pollutants, vec!["CN", "Pb", "Hg"]);
    // Four exceeding metals are all named, past the usual three.
    let a = assess(
        &set(&[
            ("CODMn", 14.0),
            ("Pb", 0.06),
            ("CN", 0.21),
            ("Hg", 0.0002),
            ("Cd", 0.02),
        ]),
        &gb(),
        &method(),
        AssessOptions::default(),
    );
    // Cd (worse than V, 3.0 over III) before CN (worse than V, 0.05 over III).
    assert_eq!(a.main_pollutants, vec!["Cd", "CN", "Pb", "Hg"]);
}

#[test]
fn main_pollutants_only_when_worse_than_iii() {
    let a = assess(
        &set(&[("NH3N", 0.9), ("CODMn", 5.0)]),
        &gb(),
        &method(),
        AssessOptions::default(),
    );
    assert_eq!(a.class, Some(III));
    assert!(a.main_pollutants.is_empty());
    assert!(!a.meets_target);
    let a = assess(
        &set(&[("NH3N", 0.4)]),
        &gb(),
        &method(),
        AssessOptions::default(),
    );
    assert_eq!(a.class, Some(II));
    assert!(a.meets_target);
}

#[test]
fn missing_items_are_listed_and_the_class_uses_what_was_measured() {
    let a = assess(
        &set(&[("NH3N", 0.4), ("DO", 6.5)]),
        &gb(),
        &method(),
        AssessOptions::default(),
    );
    assert_eq!(a.class, Some(II));
    assert_eq!(a.missing.len(), 19);
    assert!(a.missing.contains(&"CODMn".to_string()));
    assert!(!a.missing.contains(&"TN".to_string()));
    assert!(!a.missing.contains(&"NH3N".to_string()));
    let none = assess(
        &set(&[("temp", 20.0)]),
        &gb(),
        &method(),
        AssessOptions::default(),
    );
    assert_eq!(none.class, None);
    assert!(!none.meets_target);
}

fn read(text: &str) -> Result<Vec<danjiang_assessment::Measurement>, AssessmentError> {
    read_samples_csv("test.csv", text.as_bytes(), &gb(), 0.5)
}

#[test]
fn units_are_converted_to_the_standard_units() {
    let m = read(
        "site,time,item,value,unit\n\
         A,2024-01-05,NH3N,500,µg/L\n\
         A,2024-01-05,Cd,5,ug/l\n\
         A,2024-01-05,fecal_coliform,20,MPN/100mL\n\
         A,2024-01-05,fecal_coliform,200,个/L\n\
         A,2024-01-05,Hg,50,ng/L\n\
         A,2024-01-05,pH,7.1,\n\
         A,2024-01-05,DO,6.2,mg/L\n\
         A,2024-01-05,TP,0.0001,g/L\n",
    )
    .unwrap();
    let values: Vec<f64> = m.iter().map(|x| x.value).collect();
    assert_eq!(
        values,
        vec![0.5, 0.005, 200.0, 200.0, 0.00005, 7.1, 6.2, 0.1]
    );
    let standard = gb();
    // Converted values that land on a limit meet it exactly.
    assert_eq!(
        standard
            .item("NH3N")
            .unwrap()
            .classify(m[0].value, WaterBody::River),
        Some(II)
    );
    assert_eq!(
        standard
            .item("fecal_coliform")
            .unwrap()
            .classify(m[2].value, WaterBody::River),
        Some(I)
    );
    assert_eq!(
        standard
            .item("Hg")
            .unwrap()
            .classify(m[4].value, WaterBody::River),
        Some(I)
    );
    assert_eq!(
        standard
            .item("TP")
            .unwrap()
            .classify(m[7].value, WaterBody::River),
        Some(II)
    );
}

fn input_error(text: &str) -> (u64, String, String) {
    match read(text) {
        Err(AssessmentError::Input {
            line,
            field,
            message,
            ..
        }) => (line, field, message),
        other => panic!("expected an input error, got {other:?}"),
    }
}

#[test]
fn bad_input_names_the_line_and_field() {
    let head = "site,time,item,value,unit\nA,2024-01-05,DO,7,mg/L\n";
    let (line, field, message) =
        input_error(&format!("{head}A,2024-01-05,fecal_coliform,20,mg/L\n"));
    assert_eq!((line, field.as_str()), (3, "unit"));
    assert!(
        message.contains("mg/L") && message.contains("1/L"),
        "{message}"
    );
    let (line, field, _) = input_error(&format!("{head}A,2024-01-05,NH4,0.2,mg/L\n"));
    assert_eq!((line, field.as_str()), (3, "item"));
    let (line, field, _) = input_error(&format!("{head}A,2024-01-05,NH3N,zero,mg/L\n"));
    assert_eq!((line, field.as_str()), (3, "value"));
    let (line, field, _) = input_error(&format!("{head}A,2024-13-05,NH3N,0.1,mg/L\n"));
    assert_eq!((line, field.as_str()), (3, "time"));
    let (line, field, _) = input_error(&format!("{head}A,2024-01-05,NH3N,0.1,furlongs\n"));
    assert_eq!((line, field.as_str()), (3, "unit"));
    let (line, field, _) = input_error(&format!("{head}A,2024-01-05,NH3N,-1,mg/L\n"));
    assert_eq!((line, field.as_str()), (3, "value"));
    let (_, field, _) = input_error("site,time,item,value\nA,2024-01-05,DO,7\n");
    assert_eq!(field, "unit");
    assert!(read("site,time,item,value,unit\nA,2024-01-05,DO,7\n").is_err());
}

#[test]
fn below_detection_counts_as_half_the_detection_limit() {
    let m = read("site,time,item,value,unit\nA,2024-01-05,Cd,<0.01,mg/L\nA,2024-01-05,Pb,0.002L,mg/L\nA,2024-01-05,Hg,<0.1,ug/L\n").unwrap();
    assert_eq!(m[0].value, 0.005);
    assert!(m[0].below_detection);
    assert_eq!(m[1].value, 0.001);
    assert_eq!(m[2].value, 0.00005);
    let sets = aggregate(&m, Period::Sample);
    let a = assess(&sets[0], &gb(), &method(), AssessOptions::default());
    assert_eq!(a.items["Cd"], Some(II));
    assert!(
        a.details
            .iter()
            .find(|d| d.code == "Cd")
            .unwrap()
            .below_detection
    );
    // The factor is configurable: the whole detection limit puts Cd in Class V.
    let whole = read_samples_csv(
        "t.csv",
        "site,time,item,value,unit\nA,2024-01-05,Cd,<0.01,mg/L\n".as_bytes(),
        &gb(),
        1.0,
    )
    .unwrap();
    assert_eq!(whole[0].value, 0.01);
    assert_eq!(
        gb().item("Cd")
            .unwrap()
            .classify(whole[0].value, WaterBody::River),
        Some(V)
    );
}

#[test]
fn monthly_means_and_the_yearly_mean_of_monthly_means() {
    // January: four samples at 0.1 (Class I); February: one at 1.9 (V). The mean of all samples
    // (0.46, Class II) is not the method's yearly value: the mean of monthly means is 1.0 (III).
    let m = read(
        "site,time,item,value,unit\n\
         A,2024-01-03,NH3N,0.1,mg/L\n\
         A,2024-01-10,NH3N,0.1,mg/L\n\
         A,2024-01-17 09:30,NH3N,0.1,mg/L\n\
         A,2024-01-24T10:00:00,NH3N,0.1,mg/L\n\
         A,2024-02-07,NH3N,1.9,mg/L\n\
         A,2024-02-07,DO,7.0,mg/L\n\
         B,2024-02-08,NH3N,0.3,mg/L\n\
         A,2025-01-08,NH3N,0.2,mg/L\n",
    )
    .unwrap();
    let (g, me) = (gb(), method());
    let o = AssessOptions::default();
    let monthly: Vec<_> = aggregate(&m, Period::Month)
        .iter()
        .map(|s| assess(s, &g, &me, o))
        .collect();
    let labels: Vec<(&str, &str, Option<WaterClass>)> = monthly
        .iter()
        .map(|a| (a.site.as_str(), a.time.as_str(), a.class))
        .collect();
    assert_eq!(
        labels,
        vec![
            ("A", "2024-01", Some(I)),
            ("A", "2024-02", Some(V)),
            ("A", "2025-01", Some(II)),
            ("B", "2024-02", Some(II)),
        ]
    );
    let yearly_sets = aggregate(&m, Period::Year);
    let a2024 = yearly_sets
        .iter()
        .find(|s| s.site == "A" && s.time == "2024")
        .unwrap();
    assert!((a2024.values["NH3N"] - 1.0).abs() < 1e-12);
    assert_eq!(a2024.values["DO"], 7.0);
    let yearly = assess(a2024, &g, &me, o);
    assert_eq!(yearly.class, Some(III));
    let samples = aggregate(&m, Period::Sample);
    assert_eq!(samples.len(), 7);
    assert_eq!(samples.iter().filter(|s| s.site == "A").count(), 6);
}

#[test]
fn river_graded_by_the_share_of_sections() {
    let m = method();
    let grade = |classes: &[WaterClass]| match grade_river(classes, &m).unwrap() {
        RiverGrading::SectionShares(g) => g.grade.en,
        other => panic!("expected a grade, got {other:?}"),
    };
    let of = |n: &[(WaterClass, usize)]| -> Vec<WaterClass> {
        n.iter()
            .flat_map(|(c, k)| std::iter::repeat_n(*c, *k))
            .collect()
    };
    assert_eq!(grade(&of(&[(II, 9), (IV, 1)])), "excellent");
    assert_eq!(grade(&of(&[(II, 8), (IV, 2)])), "good");
    assert_eq!(grade(&of(&[(III, 3), (IV, 1)]).repeat(2)), "good");
    assert_eq!(
        grade(&of(&[(II, 7), (IV, 2), (WorseThanV, 1)])),
        "slightly polluted"
    );
    assert_eq!(
        grade(&of(&[(II, 5), (IV, 2), (WorseThanV, 3)])),
        "moderately polluted"
    );
    assert_eq!(
        grade(&of(&[(II, 5), (V, 1), (WorseThanV, 4)])),
        "heavily polluted"
    );
    assert_eq!(
        grade(&of(&[(II, 7), (V, 1), (WorseThanV, 2)])),
        "moderately polluted"
    );
    assert!(matches!(
        grade_river(&[II, III, IV], &m).unwrap(),
        RiverGrading::TooFewSections {
            sections: 3,
            needed: 5
        }
    ));
}

#[test]
fn alerts_when_a_sample_breaks_the_target_class() {
    let m = read(
        "site,time,item,value,unit\n\
         A,2024-01-03,NH3N,0.4,mg/L\n\
         A,2024-01-03,NH3N,0.6,mg/L\n\
         A,2024-01-03,DO,5.5,mg/L\n\
         A,2024-01-03,pH,9.5,\n",
    )
    .unwrap();
    let a = alerts(&m, &gb(), AssessOptions::default());
    let found: BTreeMap<u64, (String, WaterClass)> = a
        .iter()
        .map(|x| (x.line, (x.item.clone(), x.class)))
        .collect();
    assert_eq!(found.len(), 3);
    assert_eq!(found[&3], ("NH3N".to_string(), III));
    assert_eq!(found[&4], ("DO".to_string(), III));
    assert_eq!(found[&5], ("pH".to_string(), WorseThanV));
    assert!((a[0].exceedance_over_target.unwrap() - 0.2).abs() < 1e-12);
    // Against a Class III target only pH alerts.
    let iii = alerts(
        &m,
        &gb(),
        AssessOptions {
            water_body: WaterBody::River,
            target: III,
        },
    );
    assert_eq!(iii.len(), 1);
}

#[test]
fn classes_parse_and_print() {
    for (text, class) in [
        ("I", I),
        ("ii", II),
        ("3", III),
        ("IV", IV),
        ("V", V),
        ("worse than V", WorseThanV),
        ("劣V", WorseThanV),
    ] {
        assert_eq!(text.parse::<WaterClass>().unwrap(), class);
    }
    assert!("VI".parse::<WaterClass>().is_err());
    assert_eq!(
        serde_json::to_string(&WorseThanV).unwrap(),
        "\"worse than V\""
    );
}

#[test]
fn a_standard_edition_is_data() {
    let mut text: serde_json::Value =
        serde_json::from_str(danjiang_assessment::standard::GB3838_2002_JSON).unwrap();
    text["edition"] = "test".into();
    // Limits out of order are refused with the item named.
    let items = text["items"].as_array_mut().unwrap();
    let nh3n = items.iter_mut().find(|i| i["code"] == "NH3N").unwrap();
    nh3n["limits"] = serde_json::json!([0.5, 0.15, 1.0, 1.5, 2.0]);
    let error = Standard::from_json("edition.json", &text.to_string())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("NH3N") && error.contains("edition.json"),
        "{error}"
    );
    // Every item carries its source.
    for item in gb().items {
        assert!(item.source.contains("GB 3838-2002"), "{}", item.code);
    }
}

#[test]
fn two_years_of_canal_samples_read_and_assess() {
    let text = include_str!("data/canal-samples.csv");
    let m = read_samples_csv("canal-samples.csv", text.as_bytes(), &gb(), 0.5).unwrap();
    assert_eq!(m.len(), 2788);
    let (g, me, o) = (gb(), method(), AssessOptions::default());
    let samples: Vec<_> = aggregate(&m, Period::Sample)
        .iter()
        .map(|s| assess(s, &g, &me, o))
        .collect();
    assert_eq!(samples.len(), 4 * 24 + 1);
    let incident = samples
        .iter()
        .find(|a| a.time == "2024-08-20T15:00:00")
        .unwrap();
    assert_eq!(incident.class, Some(V));
    assert_eq!(incident.limiting, vec!["NH3N"]);
    assert_eq!(incident.main_pollutants, vec!["NH3N", "oil"]);
    assert_eq!(incident.items["oil"], Some(IV));
    assert_eq!(incident.missing.len(), 17);
    // The month of the incident averages it with the routine sample of 2024-08-07.
    let months = aggregate(&m, Period::Month);
    let august = months
        .iter()
        .find(|s| s.site == "Mengpo-17" && s.time == "2024-08")
        .unwrap();
    let routine = m
        .iter()
        .find(|x| {
            x.site == "Mengpo-17"
                && x.item == "NH3N"
                && x.time.to_string().starts_with("2024-08-07")
        })
        .unwrap();
    assert!((august.values["NH3N"] - (routine.value + 1.62) / 2.0).abs() < 1e-12);
    // Below-detection cadmium (0.0005L) counts as 0.00025 mg/L.
    assert!(m
        .iter()
        .filter(|x| x.item == "Cd")
        .all(|x| x.below_detection && x.value == 0.00025));
}

#[test]
fn a_river_with_few_sections_is_graded_by_their_mean_concentrations() {
    let (g, me, o) = (gb(), method(), AssessOptions::default());
    let section = |site: &str, nh3n: f64| SampleSet {
        site: site.into(),
        time: "2024".into(),
        values: [("NH3N".to_string(), nh3n), ("DO".to_string(), 7.0)]
            .into_iter()
            .collect(),
        below_detection: Vec::new(),
    };
    // Three sections: 0.2, 0.4, 1.8 mg/L; the mean 0.8 is Class III.
    let sets = vec![section("A", 0.2), section("B", 0.4), section("C", 1.8)];
    let grades = danjiang_assessment::grade_river_periods(&sets, &g, &me, o).unwrap();
    assert_eq!(grades.len(), 1);
    match &grades[0].grading {
        RiverGrading::SectionMeans {
            sections,
            class,
            grade,
        } => {
            assert_eq!(*sections, 3);
            assert_eq!(*class, Some(III));
            assert_eq!(grade.as_ref().unwrap().en, "good");
        }
        other => panic!("expected grading by means, got {other:?}"),
    }
    // Five sections, four in I-III (80%): good, by shares.
    let sets: Vec<_> = [0.2, 0.4, 0.9, 0.1, 1.8]
        .iter()
        .enumerate()
        .map(|(i, v)| section(&i.to_string(), *v))
        .collect();
    let grades = danjiang_assessment::grade_river_periods(&sets, &g, &me, o).unwrap();
    match &grades[0].grading {
        RiverGrading::SectionShares(s) => {
            assert_eq!(s.sections, 5);
            assert!((s.share_i_iii - 0.8).abs() < 1e-12);
            assert_eq!(s.grade.en, "good");
        }
        other => panic!("expected grading by shares, got {other:?}"),
    }
}
