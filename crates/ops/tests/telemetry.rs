//! Telemetry on both stores: a tag register checked on import; batches in JSON and in tall and
//! wide CSV stored all-or-nothing, duplicates ignored, late points accepted; rollups that agree
//! with figures computed here from the points themselves; series from raw points or rollups;
//! retention; bad input refused naming line and field with nothing written.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use danjiang_ops::import::{import_bytes, ImportKind, Silent};
use danjiang_ops::telemetry::{self, BatchFormat, Quality, SeriesQuery};
use danjiang_ops::{OpsError, RowError, Store};
use sqlx::Row;

async fn import(store: &Store, kind: ImportKind, text: &str) -> Result<(), OpsError> {
    import_bytes(
        store,
        kind,
        Path::new(kind.as_str()),
        text.as_bytes(),
        &Silent,
    )
    .await
    .map(|_| ())
}

const TAGS: &str =
    "code,name,quantity,unit,asset,element_kind,element_id,interval_s,retention_days,low,high\n\
    OUT16.FLOW,Renpo outlet flow,flow,m3/s,OUT16,outlet,R-OUT16,60,,0.5,9\n\
    OUT16.TURB,Renpo turbidity,turbidity,NTU,OUT16,analyser,,60,30,,5\n";

async fn register(store: &Store) {
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
        "code,kind,name,county\nOUT16,outlet,Renpo,yuzhou\n",
    )
    .await
    .unwrap();
    import(store, ImportKind::Tags, TAGS).await.unwrap();
}

async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// A day of minute values of a wavy flow, as `tag,time,value` rows.
fn minutes(day: &str, start_minute: u32, count: u32) -> Vec<(String, f64)> {
    (start_minute..start_minute + count)
        .map(|m| {
            let time = format!("{day} {:02}:{:02}", m / 60, m % 60);
            let value = 3.0 + (f64::from(m) / 37.0).sin() + f64::from(m % 7) * 0.01;
            (time, value)
        })
        .collect()
}

fn tall(tag: &str, points: &[(String, f64)]) -> String {
    let mut text = String::from("tag,time,value,quality\n");
    for (time, value) in points {
        text.push_str(&format!("{tag},{time},{value},good\n"));
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_register_refuses_wrong_units_and_limits() {
    for (url, store) in common::stores("tags_bad").await {
        register(&store).await;
        let bad = "code,name,quantity,unit,asset,low,high\n\
                   A,pH,ph,mg/L,OUT16,,\nB,Flow,flow,m3/s,NOPE,,\nC,Level,level,m,,5,2\nD,X,colour,m,,,\n";
        let error = import(&store, ImportKind::Tags, bad).await.unwrap_err();
        let OpsError::Rejected { errors, .. } = &error else {
            panic!("{url}: {error}")
        };
        let at: Vec<(u64, &str)> = errors
            .iter()
            .map(|e| (e.line, e.field.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            at,
            [(2, "unit"), (3, "asset"), (4, "high"), (5, "quantity")],
            "{url}: {error}"
        );
        assert_eq!(count(&store, "tags").await, 2, "{url}: nothing written");
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollups_agree_with_the_points_whatever_order_they_arrive_in() {
    for (url, store) in common::stores("rollups").await {
        register(&store).await;
        let points = minutes("2024-05-01", 0, 600);
        // The later half first, then the earlier half (late points), then the whole again.
        let (early, late) = points.split_at(300);
        for part in [late, early] {
            let summary = telemetry::ingest(
                &store,
                "batch.csv",
                BatchFormat::Csv,
                tall("OUT16.FLOW", part).as_bytes(),
            )
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(summary.stored, 300, "{url}");
        }
        let again = telemetry::ingest(
            &store,
            "batch.csv",
            BatchFormat::Csv,
            tall("OUT16.FLOW", &points).as_bytes(),
        )
        .await
        .unwrap();
        assert_eq!(
            (again.stored, again.duplicates),
            (0, 600),
            "{url}: a batch sent twice changes nothing"
        );
        assert_eq!(count(&store, "points").await, 600, "{url}");

        // Hourly figures computed here from the points.
        let mut expected: BTreeMap<String, (i64, f64, f64, f64)> = BTreeMap::new();
        for (time, value) in &points {
            let e = expected
                .entry(time[..13].to_string())
                .or_insert((0, 0.0, f64::MAX, f64::MIN));
            e.0 += 1;
            e.1 += value;
            e.2 = e.2.min(*value);
            e.3 = e.3.max(*value);
        }
        let rows = sqlx::query(
            "SELECT bucket, count, total, minimum, maximum FROM point_rollups \
             WHERE tag_id = (SELECT id FROM tags WHERE code = 'OUT16.FLOW') AND step_s = 3600 ORDER BY bucket",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert_eq!(rows.len(), expected.len(), "{url}");
        for (row, (hour, (n, total, min, max))) in rows.iter().zip(&expected) {
            let stored: (i64, f64, f64, f64) = (row.get(1), row.get(2), row.get(3), row.get(4));
            assert_eq!(stored.0, *n, "{url}: {hour}");
            assert!((stored.1 - total).abs() < 1e-9, "{url}: {hour}");
            assert_eq!((stored.2, stored.3), (*min, *max), "{url}: {hour}");
        }
        // The latest point is the newest, though the newest came first.
        let latest = telemetry::latest(&store).await.unwrap();
        let flow = latest.iter().find(|l| l.tag == "OUT16.FLOW").unwrap();
        assert_eq!(flow.value, points[599].1, "{url}");
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_and_wide_csv_read_the_same_points() {
    for (url, store) in common::stores("formats").await {
        register(&store).await;
        let json = r#"{"points": [
            {"tag": "OUT16.FLOW", "time": "2024-05-01 08:00", "value": 3.5},
            {"tag": "OUT16.TURB", "time": "2024-05-01T00:00:00Z", "value": 1.2, "quality": "uncertain", "unit": "NTU"},
            {"tag": "OUT16.FLOW", "time": 1714521660, "value": "3.6"}
        ]}"#;
        let summary = telemetry::ingest(&store, "batch.json", BatchFormat::Json, json.as_bytes())
            .await
            .unwrap();
        assert_eq!(summary.stored, 3, "{url}");
        // 00:00 UTC is 08:00 station time; 1714521660 s is 2024-05-01 08:01 station time.
        let wide = "time,OUT16.FLOW,OUT16.TURB\n2024-05-01 08:00,3.5,1.2\n2024-05-01 08:01,3.6,\n";
        let again = telemetry::ingest(&store, "wide.csv", BatchFormat::Csv, wide.as_bytes())
            .await
            .unwrap();
        assert_eq!(
            (again.stored, again.duplicates),
            (0, 3),
            "{url}: the same three points"
        );
        let quality: i64 = sqlx::query("SELECT quality FROM points WHERE tag_id = (SELECT id FROM tags WHERE code = 'OUT16.TURB')")
            .fetch_one(store.pool())
            .await
            .unwrap()
            .get(0);
        assert_eq!(Quality::of_code(quality), Quality::Uncertain, "{url}");
        store.close().await;
    }
}

fn fields(error: &OpsError) -> Vec<(u64, String)> {
    match error {
        OpsError::Rejected { errors, .. } => errors
            .iter()
            .map(|e: &RowError| (e.line, e.field.clone().unwrap_or_default()))
            .collect(),
        other => panic!("{other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_points_are_refused_naming_line_and_field_and_nothing_is_written() {
    for (url, store) in common::stores("points_bad").await {
        register(&store).await;
        let csv = "tag,time,value,quality,unit\n\
                   OUT16.FLOW,2024-05-01 08:00,3.5,good,m3/s\n\
                   NOPE,2024-05-01 08:00,3.5,good,\n\
                   OUT16.FLOW,yesterday,3.5,good,\n\
                   OUT16.FLOW,2024-05-01 08:02,NaN,good,\n\
                   OUT16.FLOW,2024-05-01 08:03,3500,good,L/s\n\
                   OUT16.TURB,2024-05-01 08:03,-4,good,\n\
                   OUT16.FLOW,2024-05-01 08:04,1,shaky,\n\
                   OUT16.FLOW,9999-01-01 00:00,1,good,\n";
        let error = telemetry::ingest(&store, "bad.csv", BatchFormat::Csv, csv.as_bytes())
            .await
            .unwrap_err();
        let expected: Vec<(u64, String)> = [
            (3, "tag"),
            (4, "time"),
            (5, "value"),
            (6, "unit"),
            (7, "value"),
            (8, "quality"),
            (9, "time"),
        ]
        .iter()
        .map(|(l, f)| (*l, f.to_string()))
        .collect();
        assert_eq!(fields(&error), expected, "{url}: {error}");
        let json = "{\"points\": [\n{\"tag\": \"OUT16.FLOW\", \"time\": \"2024-05-01 08:00\", \"value\": 1},\n\
                    {\"tag\": \"OUT16.FLOW\", \"time\": \"2024-05-01 08:00\", \"value\": 2}\n]}";
        let error = telemetry::ingest(&store, "bad.json", BatchFormat::Json, json.as_bytes())
            .await
            .unwrap_err();
        assert_eq!(
            fields(&error),
            [(3, "points[1].value".to_string())],
            "{url}: {error}"
        );
        assert_eq!(count(&store, "points").await, 0, "{url}: nothing written");
        assert_eq!(count(&store, "point_rollups").await, 0, "{url}");
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn series_come_from_raw_points_or_rollups_and_retention_keeps_rollups() {
    for (url, store) in common::stores("series").await {
        register(&store).await;
        let day = minutes("2024-05-01", 0, 1440);
        telemetry::ingest(
            &store,
            "day.csv",
            BatchFormat::Csv,
            tall("OUT16.TURB", &day).as_bytes(),
        )
        .await
        .unwrap();
        let from = danjiang_ops::calendar::parse_local_time("2024-05-01").unwrap();
        let raw = telemetry::series(
            &store,
            &SeriesQuery {
                tag: "OUT16.TURB".into(),
                from,
                to: from + 3600,
                step: None,
                max_points: 1000,
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (raw.step, raw.points.len()),
            (0, 60),
            "{url}: an hour of minutes is read raw"
        );
        let whole = telemetry::series(
            &store,
            &SeriesQuery {
                tag: "OUT16.TURB".into(),
                from,
                to: from + 86_400,
                step: None,
                max_points: 100,
            },
        )
        .await
        .unwrap();
        assert_eq!(
            whole.step, 900,
            "{url}: a day in at most 100 points is read at 15 min"
        );
        assert_eq!(whole.points.len(), 96, "{url}");
        let first: f64 = day[..15].iter().map(|(_, v)| v).sum::<f64>() / 15.0;
        assert!((whole.points[0].mean - first).abs() < 1e-9, "{url}");
        let hours = telemetry::series(
            &store,
            &SeriesQuery {
                tag: "OUT16.TURB".into(),
                from,
                to: from + 86_400,
                step: Some(6 * 3600),
                max_points: 100,
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (hours.step, hours.points.len()),
            (6 * 3600, 4),
            "{url}: 6 h buckets merged from hours"
        );
        assert_eq!(
            hours.points.iter().map(|p| p.count).sum::<i64>(),
            1440,
            "{url}"
        );

        // Turbidity keeps 30 days of raw points; 31 days on, they go and the rollups stay.
        let deleted = telemetry::prune(&store, from + 31 * 86_400).await.unwrap();
        assert_eq!(deleted, 1440, "{url}");
        let after = telemetry::series(
            &store,
            &SeriesQuery {
                tag: "OUT16.TURB".into(),
                from,
                to: from + 86_400,
                step: Some(3600),
                max_points: 100,
            },
        )
        .await
        .unwrap();
        assert_eq!(after.points.len(), 24, "{url}: hourly rollups kept");
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingestion_tokens_name_their_source_until_revoked_and_only_digests_are_stored() {
    for (url, store) in common::stores("tokens").await {
        let (first, token) = telemetry::create_token(&store, "scada-1", "admin")
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        let (second, other) = telemetry::create_token(&store, "scada-1", "admin")
            .await
            .unwrap();
        assert_ne!(token, other, "{url}: every token is new");
        assert!(token.starts_with("djt_") && token.len() == 68, "{token}");
        assert_eq!(
            telemetry::token_source(&store, &token).await.unwrap(),
            Some("scada-1".to_string()),
            "{url}"
        );
        for wrong in [
            "",
            "djt_",
            "not-a-token",
            &token[..67],
            &format!("{token}0"),
        ] {
            assert_eq!(
                telemetry::token_source(&store, wrong).await.unwrap(),
                None,
                "{url}: `{wrong}`"
            );
        }
        let digests: Vec<String> = sqlx::query("SELECT token_digest FROM ingest_tokens")
            .fetch_all(store.pool())
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get(0).unwrap())
            .collect();
        assert!(
            digests
                .iter()
                .all(|d| d.len() == 64 && !token.contains(d.as_str())),
            "{url}: {digests:?}"
        );

        let revoked = telemetry::revoke_token(&store, first.id, "admin")
            .await
            .unwrap();
        assert!(revoked.revoked_at.is_some(), "{url}");
        assert_eq!(telemetry::token_source(&store, &token).await.unwrap(), None);
        assert_eq!(
            telemetry::token_source(&store, &other).await.unwrap(),
            Some("scada-1".to_string()),
            "{url}: the source's other token still works"
        );
        assert!(matches!(
            telemetry::revoke_token(&store, first.id, "admin").await,
            Err(OpsError::Invalid(_))
        ));
        assert!(matches!(
            telemetry::revoke_token(&store, 9999, "admin").await,
            Err(OpsError::NotFound(_))
        ));
        let listed = telemetry::list_tokens(&store).await.unwrap();
        assert_eq!(listed, vec![revoked, second], "{url}");
        let audited: i64 = sqlx::query(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'ingest_token' AND username = 'admin'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
        assert_eq!(audited, 3, "{url}: two creations and one revocation");
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_source_must_be_a_plain_name() {
    let (_, store) = common::sqlite("token_names").await;
    for bad in ["", "has space", "semi;colon", "ünï", &"x".repeat(65)] {
        assert!(
            matches!(
                telemetry::create_token(&store, bad, "admin").await,
                Err(OpsError::Invalid(_))
            ),
            "`{bad}`"
        );
    }
    assert!(telemetry::list_tokens(&store).await.unwrap().is_empty());
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batches_stored_at_once_into_the_same_buckets_do_not_deadlock() {
    for (url, store) in common::stores("concurrent").await {
        register(&store).await;
        // Eight batches of interleaved minutes over two days: each touches every quarter-hour and hour bucket
        // of the others and both tags' latest points.
        let batches: Vec<String> = (0..8u32)
            .map(|part| {
                let mut text = String::from("tag,time,value\n");
                for minute in (part..2880).step_by(8) {
                    for tag in ["OUT16.FLOW", "OUT16.TURB"] {
                        let time = format!(
                            "2024-05-{:02} {:02}:{:02}",
                            1 + minute / 1440,
                            minute / 60 % 24,
                            minute % 60
                        );
                        text.push_str(&format!("{tag},{time},{}\n", 1.0 + f64::from(minute % 9)));
                    }
                }
                text
            })
            .collect();
        let writers: Vec<_> = batches
            .into_iter()
            .map(|text| {
                let store = store.clone();
                tokio::spawn(async move {
                    telemetry::ingest(&store, "part.csv", BatchFormat::Csv, text.as_bytes()).await
                })
            })
            .collect();
        for writer in writers {
            let summary = writer
                .await
                .unwrap()
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(summary.stored, 720, "{url}");
        }
        assert_eq!(count(&store, "points").await, 5760, "{url}");
        store.close().await;
    }
}
