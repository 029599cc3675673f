//! Patrols in the store on SQLite and (when configured) PostgreSQL: plans stored and edited,
//! due and overdue lists across month and year ends and seasons, records with photos by content
//! hash, the defect life cycle (refused skips, also by the schema itself), compliance and routes.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use danjiang_ops::patrols::{
    self, DefectState, DueState, FoundDefect, NewPatrolRecord, PhotoUpload, PlanSet, Severity,
};
use danjiang_ops::{import_bytes, ImportKind, Silent, Store};
use sqlx::Row;

const ASSETS: &str =
    "code,kind,name,looked_after_by,fed_from,longitude,latitude,length_m,diameter_mm,well_type\n\
    ST-A,station,Station A,,,,,,,\n\
    OFF-B,office,Office B,,,,,,,\n\
    L1,pipeline,Line one,ST-A,,,,2000,1000,\n\
    W1,well,Valve well one,ST-A,L1,113.015,34.0001,,,valve\n\
    W2,well,Air valve well two,OFF-B,L1,113.005,34.0,,,air_valve\n";

const GEOMETRY: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
    "properties":{"code":"L1"},
    "geometry":{"type":"LineString","coordinates":[[113.0,34.0],[113.01,34.0],[113.02,34.0]]}}]}"#;

async fn register(store: &Store) {
    import_bytes(
        store,
        ImportKind::Assets,
        Path::new("assets.csv"),
        ASSETS.as_bytes(),
        &Silent,
    )
    .await
    .unwrap();
    import_bytes(
        store,
        ImportKind::Geometry,
        Path::new("geometry.geojson"),
        GEOMETRY.as_bytes(),
        &Silent,
    )
    .await
    .unwrap();
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn time(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}

fn visit(plan: &str, asset: &str, at: &str) -> NewPatrolRecord {
    NewPatrolRecord {
        plan: plan.into(),
        asset: asset.into(),
        inspector: "Li Wei".into(),
        time: time(at),
        answers: BTreeMap::new(),
        findings: String::new(),
        position: None,
        photos: Vec::new(),
        defects: Vec::new(),
    }
}

async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

async fn task(store: &Store, day: &str, plan: &str, asset: &str) -> danjiang_patrol::DueTask {
    patrols::due_tasks(store, date(day), None)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.plan == plan && t.asset == asset)
        .unwrap_or_else(|| panic!("no task {plan} on {asset}"))
}

#[tokio::test]
async fn plans_are_stored_read_back_and_required() {
    for (url, store) in common::stores("patrol_plans").await {
        register(&store).await;
        let error = patrols::due_tasks(&store, date("2021-01-01"), None)
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("no patrol plans are stored"),
            "{url}"
        );
        let defaults = patrols::save_default_plans(&store, date("2020-12-01"))
            .await
            .unwrap();
        let stored = patrols::plans(&store).await.unwrap();
        assert_eq!(stored.plans, defaults, "{url}");
        assert_eq!(stored.effective_from, date("2020-12-01"));
        // A set naming a season it does not define is refused, and the stored set stays.
        let mut bad = defaults.clone();
        bad.seasons.clear();
        assert!(patrols::save_plans(&store, &bad, date("2021-01-01"))
            .await
            .is_err());
        assert_eq!(patrols::plans(&store).await.unwrap().plans, defaults);
    }
}

#[tokio::test]
async fn overdue_lists_cross_month_and_year_ends_and_follow_stored_seasons() {
    for (url, store) in common::stores("patrol_due").await {
        register(&store).await;
        patrols::save_default_plans(&store, date("2020-12-01"))
            .await
            .unwrap();
        patrols::record_patrols(
            &store,
            &[
                visit("line-patrol", "L1", "2020-12-30 10:00"),
                visit("well-open", "W1", "2021-01-31 15:00"),
                visit("line-patrol", "L1", "2021-05-30 09:00"),
            ],
        )
        .await
        .unwrap();

        // Year end: every 3 days from 30 December is 2 January.
        let t = task(&store, "2021-01-01", "line-patrol", "L1").await;
        assert_eq!(
            (t.due, t.state),
            (date("2021-01-02"), DueState::Upcoming),
            "{url}"
        );
        let t = task(&store, "2021-01-03", "line-patrol", "L1").await;
        assert_eq!(
            (t.due, t.state, t.days_overdue),
            (date("2021-01-02"), DueState::Overdue, 1)
        );
        assert_eq!(t.last_done, Some(date("2020-12-30")));

        // Month end: a month after 31 January is 28 February.
        let t = task(&store, "2021-02-28", "well-open", "W1").await;
        assert_eq!(
            (t.due, t.state),
            (date("2021-02-28"), DueState::Due),
            "{url}"
        );
        let t = task(&store, "2021-03-01", "well-open", "W1").await;
        assert_eq!((t.state, t.days_overdue), (DueState::Overdue, 1));

        // Never visited: due from the day the plans came into force.
        let t = task(&store, "2020-12-10", "well-open", "W2").await;
        assert_eq!((t.due, t.days_overdue), (date("2020-12-01"), 9));

        // Season: every 3 days from 30 May would be 2 June, but the flood season makes the
        // patrol daily from 1 June.
        let t = task(&store, "2021-06-01", "line-patrol", "L1").await;
        assert_eq!(
            (t.due, t.state),
            (date("2021-06-01"), DueState::Due),
            "{url}"
        );
        let t = task(&store, "2021-06-02", "line-patrol", "L1").await;
        assert_eq!((t.state, t.days_overdue), (DueState::Overdue, 1));

        // The stored season is what counts: move its start to 5 June and the 3-day rule holds.
        let mut edited: PlanSet = patrols::plans(&store).await.unwrap().plans;
        edited.seasons[0].from = "06-05".to_string().try_into().unwrap();
        patrols::save_plans(&store, &edited, date("2020-12-01"))
            .await
            .unwrap();
        let t = task(&store, "2021-06-01", "line-patrol", "L1").await;
        assert_eq!(
            (t.due, t.state),
            (date("2021-06-02"), DueState::Upcoming),
            "{url}"
        );

        // Only one station's tasks.
        let mine = patrols::due_tasks(&store, date("2021-06-01"), Some("OFF-B"))
            .await
            .unwrap();
        assert!(!mine.is_empty() && mine.iter().all(|t| t.station == "OFF-B" && t.asset == "W2"));
    }
}

#[tokio::test]
async fn records_keep_photos_once_by_hash_and_are_not_stored_twice() {
    for (url, store) in common::stores("patrol_records").await {
        register(&store).await;
        patrols::save_default_plans(&store, date("2021-01-01"))
            .await
            .unwrap();
        let photo = PhotoUpload {
            file_name: "cover.jpg".into(),
            bytes: b"not really a jpeg".to_vec(),
        };
        let mut first = visit("well-look", "W1", "2021-01-04 10:00");
        first.answers.insert("cover and lock intact".into(), false);
        first.findings = "lock rusted".into();
        first.position = Some((113.015, 34.0001));
        first.photos = vec![photo.clone()];
        first.defects = vec![FoundDefect {
            severity: Severity::Minor,
            description: "cover lock rusted".into(),
        }];
        let mut second = visit("well-look", "W2", "2021-01-04 11:00");
        second.photos = vec![photo.clone()];
        let outcomes = patrols::record_patrols(&store, &[first.clone(), second])
            .await
            .unwrap();
        assert!(outcomes.iter().all(|o| o.new), "{url}");
        assert_eq!(outcomes[0].defects, ["D-2021-0001"]);
        assert_eq!(
            outcomes[0].photos,
            [danjiang_patrol::photo_hash(&photo.bytes)]
        );
        assert_eq!(count(&store, "photos").await, 1);
        assert_eq!(count(&store, "patrol_record_photos").await, 2);
        let stored = patrols::photo(&store, &outcomes[0].photos[0])
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.bytes, photo.bytes);
        assert_eq!(stored.media_type, "image/jpeg");

        // Again: nothing new, no second defect.
        let again = patrols::record_patrol(&store, &first).await.unwrap();
        assert!(!again.new && again.id == outcomes[0].id, "{url}");
        assert_eq!(count(&store, "patrol_records").await, 2);
        assert_eq!(count(&store, "defects").await, 1);

        let back = patrols::records(&store, Some("W1"), 10).await.unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].record.answers, first.answers);
        assert_eq!(back[0].record.position, first.position);
        assert_eq!(back[0].record.photos.len(), 1);

        // A bad record rejects the batch, naming the fields.
        let good = visit("well-look", "W1", "2021-01-11 10:00");
        let mut bad = visit("well-open", "L1", "2021-01-11 11:00");
        bad.answers.insert("is the moon full".into(), true);
        let error = patrols::record_patrols(&store, &[good, bad])
            .await
            .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("record 1"), "{message}");
        assert!(
            message.contains("asset: plan `well-open` covers well assets"),
            "{message}"
        );
        assert!(message.contains("answers: `is the moon full`"), "{message}");
        assert_eq!(
            count(&store, "patrol_records").await,
            2,
            "{url}: nothing written"
        );
    }
}

#[tokio::test]
async fn a_defect_cannot_skip_a_state() {
    for (url, store) in common::stores("patrol_defects").await {
        register(&store).await;
        let at = |t: &str| time(t);
        let id = patrols::open_defect(
            &store,
            "W1",
            Severity::Major,
            "gland leaking",
            "Li Wei",
            at("2021-05-03 10:00"),
        )
        .await
        .unwrap();
        assert_eq!(id, "D-2021-0001");
        let refused = patrols::advance_defect(
            &store,
            &id,
            DefectState::Repaired,
            "crew",
            at("2021-05-03 12:00"),
            "",
        )
        .await
        .unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("cannot go from open to repaired"),
            "{url}"
        );
        let steps = [
            (DefectState::Assigned, "dispatch", "2021-05-03 12:00"),
            (DefectState::Repaired, "crew", "2021-05-04 16:00"),
            (DefectState::Assigned, "Li Wei", "2021-05-05 09:00"),
            (DefectState::Repaired, "crew", "2021-05-06 16:00"),
            (DefectState::Verified, "Li Wei", "2021-05-07 09:00"),
        ];
        for (state, by, when) in steps {
            patrols::advance_defect(&store, &id, state, by, at(when), "")
                .await
                .unwrap();
        }
        // Back in time, and nobody named: refused.
        assert!(patrols::advance_defect(
            &store,
            &id,
            DefectState::Closed,
            "x",
            at("2021-05-01 09:00"),
            ""
        )
        .await
        .is_err());
        assert!(patrols::advance_defect(
            &store,
            &id,
            DefectState::Closed,
            " ",
            at("2021-05-08 09:00"),
            ""
        )
        .await
        .is_err());
        let closed = patrols::advance_defect(
            &store,
            &id,
            DefectState::Closed,
            "dispatch",
            at("2021-05-08 09:00"),
            "done",
        )
        .await
        .unwrap();
        assert_eq!(closed.state, DefectState::Closed);
        assert!(patrols::advance_defect(
            &store,
            &id,
            DefectState::Assigned,
            "x",
            at("2021-05-09 09:00"),
            ""
        )
        .await
        .is_err());
        let stored = patrols::defect(&store, &id).await.unwrap();
        let states: Vec<DefectState> = stored.defect.history.iter().map(|t| t.state).collect();
        assert_eq!(
            states,
            [
                DefectState::Open,
                DefectState::Assigned,
                DefectState::Repaired,
                DefectState::Assigned,
                DefectState::Repaired,
                DefectState::Verified,
                DefectState::Closed
            ],
            "{url}"
        );
        assert_eq!(stored.defect.history[6].note, "done");
        assert_eq!(
            patrols::defects(&store, Some(DefectState::Closed), None)
                .await
                .unwrap()
                .len(),
            1
        );
    }
}

/// Runs `statements` in one transaction; true when the database accepted them all.
async fn accepted(store: &Store, statements: &[&str]) -> bool {
    let mut tx = store.pool().begin().await.unwrap();
    for sql in statements {
        if sqlx::query(sql).execute(&mut *tx).await.is_err() {
            return false;
        }
    }
    tx.commit().await.is_ok()
}

#[tokio::test]
async fn the_schema_refuses_a_skipped_state_too() {
    for (url, store) in common::stores("patrol_schema").await {
        register(&store).await;
        let id = patrols::open_defect(
            &store,
            "W1",
            Severity::Minor,
            "cover cracked",
            "Li Wei",
            time("2021-05-03 10:00"),
        )
        .await
        .unwrap();
        let step = |n: i64, from: &str, to: &str| {
            format!(
                "INSERT INTO defect_transitions (defect_id, step, previous_step, from_state, \
                 to_state, by_whom, at, note) VALUES ('{id}', {n}, {}, '{from}', '{to}', 'x', \
                 '2021-05-04T00:00:00', '')",
                n - 1
            )
        };
        let current = |n: i64, state: &str| {
            format!("UPDATE defects SET state = '{state}', step = {n} WHERE id = '{id}'")
        };
        // open -> repaired is not a step of the life cycle.
        assert!(
            !accepted(
                &store,
                &[&step(1, "open", "repaired"), &current(1, "repaired")]
            )
            .await,
            "{url}"
        );
        // A step that claims to leave a state the defect is not in.
        assert!(
            !accepted(
                &store,
                &[&step(1, "assigned", "repaired"), &current(1, "repaired")]
            )
            .await,
            "{url}"
        );
        // The defect's state jumping without a step.
        assert!(!accepted(&store, &[&current(0, "closed")]).await, "{url}");
        // The real next step passes.
        assert!(
            accepted(
                &store,
                &[&step(1, "open", "assigned"), &current(1, "assigned")]
            )
            .await,
            "{url}"
        );
        assert_eq!(
            patrols::defect(&store, &id).await.unwrap().state,
            DefectState::Assigned
        );
    }
}

const WEEKLY: &str = r#"{"version": "test-weekly", "source": "test", "seasons": [],
  "plans": [{"id": "well-look", "asset_kind": "well", "task": "look at the well",
             "frequency": {"every_days": 7}, "checklist": ["cover intact"]}]}"#;

#[tokio::test]
async fn compliance_and_routes_come_from_stored_plans_and_records() {
    for (url, store) in common::stores("patrol_compliance").await {
        register(&store).await;
        let plans = PlanSet::from_json(WEEKLY).unwrap();
        patrols::save_plans(&store, &plans, date("2021-05-01"))
            .await
            .unwrap();
        patrols::record_patrols(
            &store,
            &[
                visit("well-look", "W1", "2021-05-01 09:00"),
                visit("well-look", "W1", "2021-05-09 09:00"),
                visit("well-look", "W1", "2021-05-16 09:00"),
            ],
        )
        .await
        .unwrap();
        let report = patrols::compliance(&store, date("2021-05-01"), date("2021-05-31"))
            .await
            .unwrap();
        let row = |station: &str| {
            report
                .iter()
                .find(|r| r.compliance.station == station)
                .unwrap()
                .compliance
                .clone()
        };
        // W1: due 1 May (done), 8 May (done late on the 9th), 16 May (done), 23 May (missed:
        // the next fell due on the 30th), 30 May (pending).
        let a = row("ST-A");
        assert_eq!(
            (a.planned, a.done, a.late, a.missed, a.pending),
            (5, 2, 1, 1, 1),
            "{url}"
        );
        // W2, never visited: four missed and one pending.
        let b = row("OFF-B");
        assert_eq!(
            (b.planned, b.done, b.late, b.missed, b.pending),
            (5, 0, 0, 4, 1)
        );

        // The route on 30 May along L1: W2 (0.46 km) before W1 (1.38 km).
        let stops = patrols::route(&store, "L1", date("2021-05-30"))
            .await
            .unwrap();
        let order: Vec<&str> = stops.iter().map(|s| s.task.asset.as_str()).collect();
        assert_eq!(order, ["W2", "W1"], "{url}");
        let km_per_degree = 6_371.008_8 * std::f64::consts::PI / 180.0 * 34f64.to_radians().cos();
        assert!((stops[0].chainage_km - 0.005 * km_per_degree).abs() < 0.005);
        assert!((stops[1].chainage_km - 0.015 * km_per_degree).abs() < 0.005);
        assert!(patrols::route(&store, "L9", date("2021-05-30"))
            .await
            .is_err());
    }
}
