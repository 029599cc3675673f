//! The sample register on SQLite and (when configured) PostgreSQL: imports (good, bad rows,
//! idempotent), units normalised on entry, classes per sampling, month and year from stored
//! samples, alerts against each site's target, trends.

mod common;

use std::path::Path;

use danjiang_assessment::{Period, TrendDirection, WaterClass};
use danjiang_ops::samples::{self, SampleQuery};
use danjiang_ops::{OpsError, Store};
use sqlx::Row;

const SITES: &str = "code,name,water_body,target_class\n\
    CANAL,Canal section,river,II\n\
    POND,Regulating pond,lake,II\n";

async fn with_sites(store: &Store) {
    samples::import_sites(store, Path::new("sites.csv"), SITES.as_bytes())
        .await
        .unwrap();
}

async fn import(store: &Store, text: &str) -> Result<samples::SampleImportSummary, OpsError> {
    samples::import_samples(store, Path::new("samples.csv"), text.as_bytes()).await
}

async fn count(store: &Store) -> i64 {
    sqlx::query("SELECT COUNT(*) FROM samples")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

fn all() -> SampleQuery {
    SampleQuery::default()
}

#[tokio::test]
async fn units_are_normalised_on_entry_and_below_detection_is_kept() {
    for (url, store) in common::stores("samples_units").await {
        with_sites(&store).await;
        let text = "site,time,item,value,unit,method,detection_limit\n\
            CANAL,2021-03-05 09:30,As,5,µg/L,AFS,\n\
            CANAL,2021-03-05 09:30,fecal_coliform,50,MPN/100mL,,\n\
            CANAL,2021-03-05 09:30,Hg,<0.01,ug/L,,\n\
            CANAL,2021-03-05 09:30,Cd,ND,mg/L,,0.001\n\
            CANAL,2021-03-05 09:30,pH,7.9,,,\n";
        let summary = import(&store, text).await.unwrap();
        assert_eq!(
            (summary.rows, summary.sites, summary.samplings),
            (5, 1, 1),
            "{url}"
        );
        let stored = samples::samples(&store, &all()).await.unwrap();
        let get = |item: &str| stored.iter().find(|s| s.item == item).unwrap().clone();
        assert!((get("As").value.unwrap() - 0.005).abs() < 1e-15, "{url}");
        assert_eq!(get("As").unit, "mg/L");
        assert_eq!(get("As").reported_unit, "µg/L");
        assert_eq!(get("As").method.as_deref(), Some("AFS"));
        assert_eq!(get("fecal_coliform").value, Some(500.0), "{url}");
        let mercury = get("Hg");
        assert!(mercury.below_detection && mercury.value.is_none());
        assert!((mercury.detection_limit.unwrap() - 0.00001).abs() < 1e-18);
        let cadmium = get("Cd");
        assert!(cadmium.below_detection);
        assert_eq!(cadmium.detection_limit, Some(0.001));
        assert_eq!(get("pH").unit, "pH");
        // Below detection counts as half the limit in the assessment: 0.0005 mg/L Cd, Class I.
        let assessed = samples::assess_samples(&store, &all(), Period::Sample)
            .await
            .unwrap();
        let cd = assessed[0].details.iter().find(|d| d.code == "Cd").unwrap();
        assert!((cd.value - 0.0005).abs() < 1e-15 && cd.below_detection);
        assert_eq!(cd.class, Some(WaterClass::I));
    }
}

#[tokio::test]
async fn a_file_with_bad_rows_is_rejected_whole_naming_line_and_field() {
    for (url, store) in common::stores("samples_bad").await {
        with_sites(&store).await;
        let text = "site,time,item,value,unit\n\
            CANAL,2021-03-05,DO,8.1,mg/L\n\
            CANAL,2021-03-05,XYZ,1.0,mg/L\n\
            CANAL,2021-03-05,fecal_coliform,20,mg/L\n\
            NOWHERE,2021-03-05,TP,0.02,mg/L\n\
            CANAL,2021-13-05,TP,0.02,mg/L\n\
            CANAL,2021-03-05,NH3N,abc,mg/L\n\
            CANAL,2021-03-05,DO,8.2,mg/L\n";
        let error = import(&store, text).await.unwrap_err();
        let OpsError::Rejected { errors, .. } = &error else {
            panic!("{url}: expected a rejection, got {error}");
        };
        let at: Vec<(u64, Option<&str>)> = errors
            .iter()
            .map(|e| (e.line, e.field.as_deref()))
            .collect();
        assert_eq!(
            at,
            [
                (3, Some("item")),
                (4, Some("unit")),
                (5, Some("site")),
                (6, Some("time")),
                (7, Some("value")),
                (8, Some("item")),
            ],
            "{url}: {error}"
        );
        assert!(errors[0].reason.contains("unknown item code `XYZ`"));
        assert!(errors[1].reason.contains("cannot convert `mg/L`"));
        assert!(errors[5].reason.contains("given twice, first on line 2"));
        assert_eq!(count(&store).await, 0, "{url}: nothing written");
    }
}

#[tokio::test]
async fn importing_the_same_file_again_changes_nothing() {
    for (url, store) in common::stores("samples_again").await {
        with_sites(&store).await;
        let text = "site,time,item,value,unit\n\
            CANAL,2021-03-05,DO,8.1,mg/L\n\
            CANAL,2021-03-05,TP,0.02,mg/L\n\
            CANAL,2021-04-05,TP,<0.01,mg/L\n";
        import(&store, text).await.unwrap();
        let before = samples::samples(&store, &all()).await.unwrap();
        import(&store, text).await.unwrap();
        let after = samples::samples(&store, &all()).await.unwrap();
        assert_eq!(before, after, "{url}");
        assert_eq!(count(&store).await, 3);
        // A corrected value replaces the stored one.
        import(
            &store,
            "site,time,item,value,unit\nCANAL,2021-03-05,TP,0.03,mg/L\n",
        )
        .await
        .unwrap();
        let tp = samples::samples(&store, &all()).await.unwrap();
        assert_eq!(tp.iter().filter(|s| s.item == "TP").count(), 2);
        assert_eq!(
            tp.iter()
                .find(|s| s.item == "TP" && s.time.starts_with("2021-03"))
                .unwrap()
                .value,
            Some(0.03)
        );
        // Sites too.
        with_sites(&store).await;
        assert_eq!(samples::sites(&store).await.unwrap().len(), 2);
    }
}

/// Five January samples at 0.9 mg/L NH3N (Class III) and one each in February and March at
/// 0.05 (Class I). The year is the mean of the monthly means, (0.9 + 0.05 + 0.05) / 3 = 0.333
/// (Class II), not the mean of all seven samples, 0.657 (Class III).
fn quarter() -> String {
    let mut text = String::from("site,time,item,value,unit\n");
    for day in 4..9 {
        text.push_str(&format!("CANAL,2021-01-{day:02} 09:00,NH3N,0.9,mg/L\n"));
        text.push_str(&format!("CANAL,2021-01-{day:02} 09:00,DO,9.0,mg/L\n"));
    }
    for month in [2, 3] {
        text.push_str(&format!("CANAL,2021-{month:02}-10 09:00,NH3N,0.05,mg/L\n"));
        text.push_str(&format!("CANAL,2021-{month:02}-10 09:00,DO,9.0,mg/L\n"));
    }
    text.push_str("CANAL,2022-01-10 09:00,NH3N,0.10,mg/L\nCANAL,2022-01-10 09:00,DO,9.0,mg/L\n");
    text
}

#[tokio::test]
async fn monthly_and_yearly_classes_follow_the_method() {
    for (url, store) in common::stores("samples_periods").await {
        with_sites(&store).await;
        import(&store, &quarter()).await.unwrap();
        let months = samples::assess_samples(&store, &all(), Period::Month)
            .await
            .unwrap();
        let classes: Vec<(&str, Option<WaterClass>)> =
            months.iter().map(|a| (a.time.as_str(), a.class)).collect();
        assert_eq!(
            classes,
            [
                ("2021-01", Some(WaterClass::III)),
                ("2021-02", Some(WaterClass::I)),
                ("2021-03", Some(WaterClass::I)),
                ("2022-01", Some(WaterClass::I)),
            ],
            "{url}"
        );
        assert!(!months[0].meets_target && months[1].meets_target);
        assert_eq!(months[0].limiting, ["NH3N"]);
        let years = samples::assess_samples(&store, &all(), Period::Year)
            .await
            .unwrap();
        assert_eq!(years.len(), 2);
        assert_eq!(years[0].time, "2021");
        assert_eq!(years[0].class, Some(WaterClass::II), "{url}");
        let nh3n = years[0].details.iter().find(|d| d.code == "NH3N").unwrap();
        assert!((nh3n.value - 1.0 / 3.0).abs() < 1e-12);
        assert!(years[0].meets_target);
        assert_eq!(years[1].class, Some(WaterClass::I));
        // Per sampling: eight samplings, five of them Class III.
        let each = samples::assess_samples(&store, &all(), Period::Sample)
            .await
            .unwrap();
        assert_eq!(each.len(), 8);
        assert_eq!(
            each.iter()
                .filter(|a| a.class == Some(WaterClass::III))
                .count(),
            5
        );
        // A date range keeps to its days.
        let february = SampleQuery {
            from: chrono::NaiveDate::from_ymd_opt(2021, 2, 1),
            to: chrono::NaiveDate::from_ymd_opt(2021, 2, 28),
            ..all()
        };
        let only = samples::assess_samples(&store, &february, Period::Month)
            .await
            .unwrap();
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].time, "2021-02");
    }
}

#[tokio::test]
async fn alerts_use_each_sites_water_body_and_target() {
    for (url, store) in common::stores("samples_alerts").await {
        with_sites(&store).await;
        // TP 0.04 mg/L: Class II in a river (<= 0.1), Class III in a lake (<= 0.05).
        import(
            &store,
            "site,time,item,value,unit\n\
             CANAL,2021-05-05,TP,0.04,mg/L\n\
             POND,2021-05-05,TP,0.04,mg/L\n\
             POND,2021-05-05,DO,5.5,mg/L\n",
        )
        .await
        .unwrap();
        let alerts = samples::sample_alerts(&store, &all()).await.unwrap();
        let found: Vec<(&str, &str, WaterClass)> = alerts
            .iter()
            .map(|a| (a.site.as_str(), a.item.as_str(), a.class))
            .collect();
        assert_eq!(
            found,
            [
                ("POND", "DO", WaterClass::III),
                ("POND", "TP", WaterClass::III)
            ],
            "{url}"
        );
        let tp = &alerts[1];
        assert!((tp.exceedance_over_target.unwrap() - 0.6).abs() < 1e-12);
        let canal = SampleQuery {
            site: Some("CANAL".into()),
            ..all()
        };
        assert!(samples::sample_alerts(&store, &canal)
            .await
            .unwrap()
            .is_empty());
        let unknown = SampleQuery {
            site: Some("NOWHERE".into()),
            ..all()
        };
        assert!(samples::assess_samples(&store, &unknown, Period::Sample)
            .await
            .is_err());
    }
}

#[tokio::test]
async fn a_rising_item_has_a_significant_increasing_trend() {
    for (url, store) in common::stores("samples_trend").await {
        with_sites(&store).await;
        let mut text = String::from("site,time,item,value,unit\n");
        for month in 1..=12 {
            let value = 0.02 + 0.01 * f64::from(month) + if month % 2 == 0 { 0.003 } else { 0.0 };
            text.push_str(&format!("CANAL,2021-{month:02}-15,NH3N,{value:.3},mg/L\n"));
        }
        import(&store, &text).await.unwrap();
        let trend = samples::sample_trend(&store, "CANAL", "NH3N", Period::Month, &all())
            .await
            .unwrap();
        assert_eq!(trend.trend.n, 12, "{url}");
        assert_eq!(trend.trend.direction, TrendDirection::Increasing);
        assert!(trend.trend.mann_kendall.p_value < 0.05);
        // About 0.01 mg/L a month, 0.12 a year.
        assert!(
            (trend.trend.sen.slope - 0.12).abs() < 0.02,
            "{}",
            trend.trend.sen.slope
        );
        assert_eq!(
            (trend.from.as_str(), trend.to.as_str()),
            ("2021-01", "2021-12")
        );
        let error = samples::sample_trend(&store, "CANAL", "TP", Period::Month, &all())
            .await
            .unwrap_err();
        assert!(error.to_string().contains("needs at least 3"), "{error}");
        assert!(
            samples::sample_trend(&store, "CANAL", "XYZ", Period::Month, &all())
                .await
                .is_err()
        );
    }
}
