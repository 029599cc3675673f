//! Properties that hold for any input: classes never improve as a pollutant rises (or as dissolved
//! oxygen falls), and no CSV text makes the reader panic.

use danjiang_assessment::{read_samples_csv, ItemKind, Standard, WaterBody};
use proptest::prelude::*;

proptest! {
    #[test]
    fn class_is_monotone_in_the_value(a in 0.0f64..50_000.0, b in 0.0f64..50_000.0, scale in 0usize..6) {
        let standard = Standard::gb3838_2002().unwrap();
        // Spread values over the ranges of the different items.
        let factor = [1e-5, 1e-3, 1e-1, 1.0, 10.0, 1.0][scale];
        let (low, high) = if a <= b { (a * factor, b * factor) } else { (b * factor, a * factor) };
        for item in &standard.items {
            for body in [WaterBody::River, WaterBody::Lake] {
                let (cl, ch) = (item.classify(low, body), item.classify(high, body));
                match item.kind {
                    ItemKind::Upper | ItemKind::Single => prop_assert!(cl <= ch, "{} {low} {high}", item.code),
                    ItemKind::Lower => prop_assert!(cl >= ch, "{} {low} {high}", item.code),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn any_csv_text_gives_rows_or_an_error(text in "site,time,item,value,unit\n[A-Za-z0-9,.<:\\- /µ\n]{0,200}") {
        let standard = Standard::gb3838_2002().unwrap();
        let _ = read_samples_csv("fuzz.csv", text.as_bytes(), &standard, 0.5);
    }
}
