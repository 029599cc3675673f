//! The store, imports and ledger, run against SQLite and (when configured) PostgreSQL.

mod common;

use std::path::Path;

use danjiang_ops::{
    compute_ledger, demo, import_bytes, Grouping, ImportKind, LedgerQuery, OpsError, Period,
    Silent, Store,
};
use sqlx::Row;

const COUNTIES: &str = include_str!("../../../examples/xuchang/counties.csv");
const ASSETS: &str = include_str!("../../../examples/xuchang/assets.csv");
const GEOMETRY: &str = include_str!("../../../examples/xuchang/geometry.geojson");

async fn import(
    store: &Store,
    kind: ImportKind,
    text: &str,
) -> Result<danjiang_ops::ImportSummary, OpsError> {
    import_bytes(
        store,
        kind,
        Path::new(kind.as_str()),
        text.as_bytes(),
        &Silent,
    )
    .await
}

async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

async fn load_register(store: &Store) {
    import(store, ImportKind::Counties, COUNTIES).await.unwrap();
    import(store, ImportKind::Assets, ASSETS).await.unwrap();
    import(store, ImportKind::Geometry, GEOMETRY).await.unwrap();
}

/// A small register and two meters for the import tests.
async fn small_store(store: &Store) {
    import(
        store,
        ImportKind::Counties,
        "code,name,kind\nyuzhou,Yuzhou,county_city\n",
    )
    .await
    .unwrap();
    import(
        store,
        ImportKind::Assets,
        "code,kind,name,county,capacity_m3_per_day\nOUT16,outlet,Renpo,yuzhou,\nP1,plant,Plant one,yuzhou,50000\n",
    )
    .await
    .unwrap();
    import(
        store,
        ImportKind::Meters,
        "code,asset,point,reading_kind\nM-OUT16,OUT16,outlet,totaliser\nM-P1,P1,plant_intake,totaliser\n",
    )
    .await
    .unwrap();
    import(
        store,
        ImportKind::Uses,
        "meter,use,share\nM-P1,domestic,0.8\nM-P1,industrial,0.2\n",
    )
    .await
    .unwrap();
}

fn readings(meter: &str, days: std::ops::Range<u32>, per_day: f64) -> String {
    let mut text = String::from("meter,time,value\n");
    for d in days {
        // Early enough that 3,000 days end before today: imports refuse future times.
        let date = chrono::NaiveDate::from_ymd_opt(2012, 1, 1).unwrap()
            + chrono::Duration::days(i64::from(d));
        text.push_str(&format!(
            "{meter},{date} 00:00,{}\n",
            f64::from(d) * per_day
        ));
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_history_reproduces_the_published_totals() {
    for (url, store) in common::stores("demo").await {
        load_register(&store).await;
        let history = demo::generate(demo::SEED);
        for (kind, text) in [
            (ImportKind::Meters, &history.meters),
            (ImportKind::Uses, &history.uses),
            (ImportKind::Replacements, &history.replacements),
            (ImportKind::Readings, &history.readings),
            (ImportKind::Plans, &history.plans),
        ] {
            import(&store, kind, text)
                .await
                .unwrap_or_else(|e| panic!("{url}: {e}"));
        }
        let by_use = compute_ledger(
            &store,
            LedgerQuery {
                by: Grouping::Use,
                period: Period::All,
                from: None,
                to: None,
            },
        )
        .await
        .unwrap();
        let volume = |key: &str| {
            by_use
                .rows
                .iter()
                .find(|r| r.key == key)
                .map_or(0.0, |r| r.volume_m3)
        };
        let total: f64 = by_use.rows.iter().map(|r| r.volume_m3).sum();
        // Published to two decimals of 亿 m³.
        let yi = |v: f64| (v / 1e8 * 100.0).round() / 100.0;
        assert_eq!(yi(total), 10.15, "{url}: total {total}");
        assert_eq!(yi(volume("domestic")), 4.86, "{url}");
        assert_eq!(yi(volume("ecological")), 5.29, "{url}");
        assert!(
            by_use.rows.iter().any(|r| r.estimated_meter_days > 0),
            "{url}: gaps and the reset are flagged"
        );

        let yearly = compute_ledger(
            &store,
            LedgerQuery {
                by: Grouping::Use,
                period: Period::Year,
                from: None,
                to: None,
            },
        )
        .await
        .unwrap();
        let mut per_year = std::collections::BTreeMap::<String, f64>::new();
        for row in &yearly.rows {
            *per_year.entry(row.period.clone()).or_default() += row.volume_m3;
        }
        assert_eq!(
            per_year.len(),
            7,
            "{url}: water years 2014-2015 to 2020-2021"
        );
        for (year, volume) in &per_year {
            assert!(
                *volume <= demo::PUBLISHED_CAPACITY_M3_PER_YEAR,
                "{url}: {year} delivered {volume}"
            );
        }

        // Outlets carry exactly what their plants and the Baling release take.
        let by_outlet = compute_ledger(
            &store,
            LedgerQuery {
                by: Grouping::Outlet,
                period: Period::All,
                from: None,
                to: None,
            },
        )
        .await
        .unwrap();
        let outlets: f64 = by_outlet.rows.iter().map(|r| r.volume_m3).sum();
        let drain_gates: f64 = compute_ledger(
            &store,
            LedgerQuery {
                by: Grouping::County,
                period: Period::All,
                from: None,
                to: None,
            },
        )
        .await
        .unwrap()
        .rows
        .iter()
        .map(|r| r.volume_m3)
        .sum::<f64>()
            - outlets;
        assert!(
            drain_gates > 0.0,
            "{url}: part of the ecological water leaves through the canal's drain gates"
        );
        assert_eq!(by_outlet.rows.len(), 4);
        for row in &by_outlet.rows {
            let completion = row.completion_percent().expect("every outlet has plans");
            assert!(
                (80.0..=100.0).contains(&completion),
                "{url}: {} completion {completion}",
                row.key
            );
        }

        let people: i64 = sqlx::query(
            "SELECT CAST(SUM(people_served) AS BIGINT) FROM assets WHERE kind = 'plant'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
        assert_eq!(people, 2_270_000);
        assert_eq!(count(&store, "assets WHERE kind = 'well'").await, 366);
        assert_eq!(
            count(&store, "assets WHERE kind IN ('office', 'station')").await,
            21
        );
        assert_eq!(count(&store, "assets WHERE kind = 'outlet'").await, 4);
        assert_eq!(count(&store, "assets WHERE kind = 'plant'").await, 8);
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_file_is_rejected_whole_with_every_bad_line() {
    for (url, store) in common::stores("malformed").await {
        small_store(&store).await;
        let file = "meter,time,value\n\
                    M-P1,2020-01-01 00:00,10\n\
                    M-P1,2020-13-01 00:00,20\n\
                    M-NOPE,2020-01-02 00:00,30\n\
                    M-P1,2020-01-03 00:00,-5\n\
                    M-P1,2020-01-01 00:00,10\n\
                    M-P1,2020-01-04 00:00\n\
                    M-OUT16,2020-01-04 00:00,40\n";
        let error = import(&store, ImportKind::Readings, file)
            .await
            .unwrap_err();
        let OpsError::Rejected { errors, .. } = &error else {
            panic!("{url}: {error}")
        };
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7], "{url}: {error}");
        let text = error.to_string();
        for expected in [
            "not a date-time",
            "unknown meter `M-NOPE`",
            "negative value",
            "duplicate key",
            "wrong column count",
        ] {
            assert!(
                text.contains(expected),
                "{url}: `{expected}` missing from:\n{text}"
            );
        }
        assert_eq!(count(&store, "readings").await, 0, "{url}: nothing written");
        assert_eq!(count(&store, "daily_volumes").await, 0);

        // Other kinds say what they expect too.
        let error = import(
            &store,
            ImportKind::Assets,
            "code,kind,name,county\nX,pump,Thing,nowhere\n",
        )
        .await
        .unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("`pump` is not one of") && text.contains("unknown county `nowhere`"),
            "{text}"
        );
        let error = import(
            &store,
            ImportKind::Plans,
            "asset,water_year,month,volume_m3\nP1,2019-2021,3,100\nP1,2019-2020,13,-1\n",
        )
        .await
        .unwrap_err();
        let OpsError::Rejected { errors, .. } = &error else {
            panic!("{error}")
        };
        assert_eq!(errors.len(), 3, "{error}");
        let error = import(
            &store,
            ImportKind::Uses,
            "meter,use,share\nM-OUT16,domestic,0.5\n",
        )
        .await
        .unwrap_err();
        assert!(error.to_string().contains("add up to 0.5"), "{error}");
        let error = import(&store, ImportKind::Geometry, r#"{"type":"FeatureCollection","features":[{"properties":{"code":"P1"},"geometry":{"type":"Point","coordinates":[200,34]}}]}"#)
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("features[0].geometry"),
            "{error}"
        );
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn importing_the_same_file_twice_changes_nothing() {
    for (url, store) in common::stores("twice").await {
        small_store(&store).await;
        let file = readings("M-P1", 0..40, 1000.0);
        let query = LedgerQuery {
            by: Grouping::Use,
            period: Period::Month,
            from: None,
            to: None,
        };
        import(&store, ImportKind::Readings, &file).await.unwrap();
        let first = compute_ledger(&store, query).await.unwrap();
        let rows = count(&store, "readings").await;
        import(&store, ImportKind::Readings, &file).await.unwrap();
        assert_eq!(count(&store, "readings").await, rows, "{url}");
        assert_eq!(compute_ledger(&store, query).await.unwrap(), first, "{url}");
        // 39 days of 1000 m³ split 80/20 between domestic and industrial use.
        let total: f64 = first.rows.iter().map(|r| r.volume_m3).sum();
        assert!((total - 39_000.0).abs() < 1e-6, "{url}: {total}");
        let industrial: f64 = first
            .rows
            .iter()
            .filter(|r| r.key == "industrial")
            .map(|r| r.volume_m3)
            .sum();
        assert!((industrial - 7_800.0).abs() < 1e-6, "{url}: {industrial}");
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_imports_at_once_lose_nothing() {
    for (url, store) in common::stores("concurrent").await {
        small_store(&store).await;
        store.close().await;
        // Two separate pools stand for two processes.
        let first = Store::open(&url).await.unwrap();
        let second = Store::open(&url).await.unwrap();
        let a = readings("M-P1", 0..3000, 10.0);
        let b = readings("M-OUT16", 0..3000, 12.0);
        let (ra, rb) = tokio::join!(
            import(&first, ImportKind::Readings, &a),
            import(&second, ImportKind::Readings, &b)
        );
        ra.unwrap();
        rb.unwrap();
        assert_eq!(count(&first, "readings").await, 6000, "{url}");
        assert_eq!(count(&first, "daily_volumes").await, 2 * 2999, "{url}");
        first.close().await;
        second.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resets_exchanges_and_gaps_reach_the_ledger() {
    for (url, store) in common::stores("paths").await {
        small_store(&store).await;
        // Day 0-1: 100 m³; a reset after day 1's reading; a 3-day gap; an exchange on day 6.
        let file = "meter,time,value\n\
                    M-P1,2020-01-01,1000\nM-P1,2020-01-02,1100\nM-P1,2020-01-03,50\n\
                    M-P1,2020-01-06,350\nM-P1,2020-01-07,450\nM-P1,2020-01-08,20\n";
        import(&store, ImportKind::Readings, file).await.unwrap();
        import(
            &store,
            ImportKind::Replacements,
            "meter,time,old_final_m3,new_initial_m3\nM-P1,2020-01-07 12:00,500,0\n",
        )
        .await
        .unwrap();
        let ledger = compute_ledger(
            &store,
            LedgerQuery {
                by: Grouping::Plant,
                period: Period::Day,
                from: None,
                to: None,
            },
        )
        .await
        .unwrap();
        let volumes: Vec<f64> = ledger.rows.iter().map(|r| r.volume_m3).collect();
        let estimated: Vec<u64> = ledger.rows.iter().map(|r| r.estimated_meter_days).collect();
        assert_eq!(
            volumes,
            [100.0, 50.0, 100.0, 100.0, 100.0, 100.0, 70.0],
            "{url}"
        );
        assert_eq!(estimated, [0, 1, 1, 1, 1, 0, 0], "{url}");
        let csv = {
            let mut out = Vec::new();
            ledger.write(danjiang_ops::Format::Csv, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert!(csv.starts_with("plant,name,period,"), "{csv}");
        assert_eq!(csv.lines().count(), 8);
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dates_outside_the_plausible_range_and_two_digit_water_years_are_refused() {
    for (url, store) in common::stores("date_bounds").await {
        small_store(&store).await;
        let file = "meter,time,value\n\
                    M-P1,2020-01-01 00:00,10\n\
                    M-P1,9999-12-31 00:00,20\n\
                    M-P1,1999-12-31 23:00,5\n";
        let error = import(&store, ImportKind::Readings, file)
            .await
            .unwrap_err();
        let OpsError::Rejected { errors, .. } = &error else {
            panic!("{url}: {error}")
        };
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4], "{url}: {error}");
        let text = error.to_string();
        assert!(text.contains("in the future"), "{url}: {text}");
        assert!(text.contains("when records begin"), "{url}: {text}");
        assert_eq!(count(&store, "readings").await, 0, "{url}: nothing written");
        assert_eq!(
            count(&store, "daily_volumes").await,
            0,
            "{url}: nothing written"
        );

        for year in ["21-22", "22", "2021-2023", "9999"] {
            let plans = format!("asset,water_year,month,volume_m3\nOUT16,{year},,100\n");
            let error = import(&store, ImportKind::Plans, &plans).await.unwrap_err();
            assert!(
                error.to_string().contains("not a water year"),
                "{url}: {year}: {error}"
            );
        }
        import(
            &store,
            ImportKind::Plans,
            "asset,water_year,month,volume_m3\nOUT16,2021-2022,,100\nOUT16,2023,,100\n",
        )
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    }
}
