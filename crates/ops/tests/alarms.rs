//! Alarms on both stores: limits with deadband, rate of change and stale raise and clear as
//! ISA-18.2 says; acknowledging (with a note, audited) and clearing in either order end in closed;
//! shelving (audited) is inherited by a new occurrence; the list filters and pages; limits are
//! checked and audited; bad input is refused.

mod common;

use std::path::Path;

use danjiang_ops::calendar::parse_local_time;
use danjiang_ops::import::{import_bytes, ImportKind, Silent};
use danjiang_ops::telemetry::alarms::{
    self, Alarm, AlarmFilter, AlarmKind, AlarmLimits, AlarmState, Recipient, StateFilter,
};
use danjiang_ops::telemetry::{self, BatchFormat};
use danjiang_ops::{OpsError, Store};
use sqlx::Row;

const TAGS: &str =
    "code,name,quantity,unit,interval_s,low_low,low,high,high_high,rate_limit_per_minute\n\
    POOL.LEVEL,Clear-water pool level,level,m,60,1,2,8,9,\n\
    OUT16.FLOW,Renpo outlet flow,flow,m3/s,60,,,,,1\n\
    OUT16.TURB,Renpo turbidity,turbidity,NTU,60,,,5,,\n";

async fn register(store: &Store) {
    import_bytes(
        store,
        ImportKind::Tags,
        Path::new("tags.csv"),
        TAGS.as_bytes(),
        &Silent,
    )
    .await
    .unwrap();
    let mut limits = alarms::limits(store, "POOL.LEVEL").await.unwrap();
    limits.deadband = 0.5;
    alarms::set_limits(store, "POOL.LEVEL", &limits, "alice")
        .await
        .unwrap();
}

/// Station time of minute `minute` of 2024-05-01, s.
fn minute(minute: i64) -> i64 {
    parse_local_time("2024-05-01 00:00").unwrap() + minute * 60
}

/// Stores `points` (minute, value) of `tag` as one batch; the alarms it raised.
async fn send(store: &Store, tag: &str, points: &[(i64, f64)]) -> Vec<Alarm> {
    send_quality(store, tag, points, "good").await
}

async fn send_quality(
    store: &Store,
    tag: &str,
    points: &[(i64, f64)],
    quality: &str,
) -> Vec<Alarm> {
    let mut csv = String::from("tag,time,value,quality\n");
    for (m, value) in points {
        let time = danjiang_ops::calendar::format_local_time(minute(*m));
        csv.push_str(&format!("{tag},{time},{value},{quality}\n"));
    }
    telemetry::ingest(store, "batch.csv", BatchFormat::Csv, csv.as_bytes())
        .await
        .unwrap()
        .alarms
}

/// Every alarm of `tag`, oldest first, as (kind, state, raised minute, cleared minute).
async fn history(store: &Store, tag: &str) -> Vec<(AlarmKind, AlarmState, i64, Option<i64>)> {
    let filter = AlarmFilter {
        state: StateFilter::All,
        tag: Some(tag.into()),
        ..AlarmFilter::default()
    };
    let mut page = alarms::alarms(store, &filter, 1000, 0).await.unwrap().items;
    page.reverse();
    page.iter()
        .map(|a| {
            let m = |t: i64| (t - minute(0)) / 60;
            (a.kind, a.state, m(a.raised_at), a.cleared_at.map(m))
        })
        .collect()
}

async fn audit_actions(store: &Store, entity: &str) -> Vec<String> {
    sqlx::query("SELECT action FROM audit_log WHERE entity = $1 ORDER BY id")
        .bind(entity)
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get(0).unwrap())
        .collect()
}

use AlarmKind::{High, HighHigh, Low, LowLow, Rate, Stale};
use AlarmState::{Active, ClearedUnacknowledged, Closed};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_raise_and_clear_with_their_deadband() {
    for (url, store) in common::stores("alarm_limits").await {
        register(&store).await;
        let steps: [(f64, &[AlarmKind]); 7] = [
            (5.0, &[]),
            (8.5, &[High]),
            (7.8, &[]), // inside the high limit but not by the deadband: still standing
            (9.2, &[HighHigh]),
            (8.6, &[]),
            (8.4, &[]), // high-high clears, high stays
            (7.5, &[]), // high clears
        ];
        for (m, (value, raised)) in steps.iter().enumerate() {
            let alarms = send(&store, "POOL.LEVEL", &[(m as i64, *value)]).await;
            let kinds: Vec<AlarmKind> = alarms.iter().map(|a| a.kind).collect();
            assert_eq!(&kinds, raised, "{url}: minute {m}, value {value}");
        }
        assert_eq!(
            history(&store, "POOL.LEVEL").await,
            [
                (High, ClearedUnacknowledged, 1, Some(6)),
                (HighHigh, ClearedUnacknowledged, 3, Some(5)),
            ],
            "{url}"
        );
        // The low side in one batch: low, low-low, low-low clears by its deadband, low does not.
        let raised = send(&store, "POOL.LEVEL", &[(10, 1.5), (11, 0.5), (12, 2.4)]).await;
        let kinds: Vec<(AlarmKind, AlarmState)> =
            raised.iter().map(|a| (a.kind, a.state)).collect();
        assert_eq!(
            kinds,
            [(Low, Active), (LowLow, ClearedUnacknowledged)],
            "{url}"
        );
        assert_eq!(raised[0].value, Some(1.5), "{url}");
        assert_eq!(raised[0].limit, Some(2.0), "{url}");
        assert_eq!(raised[0].priority, 2, "{url}");
        assert_eq!(raised[1].priority, 1, "{url}");
        assert!(send(&store, "POOL.LEVEL", &[(13, 2.5)]).await.is_empty());
        let low = history(&store, "POOL.LEVEL").await;
        assert_eq!(low[2], (Low, ClearedUnacknowledged, 10, Some(13)), "{url}");
        // Bad points and late points change nothing.
        assert!(send_quality(&store, "POOL.LEVEL", &[(14, 50.0)], "bad")
            .await
            .is_empty());
        assert!(
            send(&store, "POOL.LEVEL", &[(9, 50.0)]).await.is_empty(),
            "{url}: late"
        );
        assert_eq!(history(&store, "POOL.LEVEL").await.len(), 4, "{url}");
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_of_change_is_per_minute() {
    for (url, store) in common::stores("alarm_rate").await {
        register(&store).await;
        assert!(send(&store, "OUT16.FLOW", &[(0, 3.0), (1, 3.5)])
            .await
            .is_empty());
        // 1.5 m3/s in one minute, over the limit of 1 per minute.
        let raised = send(&store, "OUT16.FLOW", &[(2, 5.0)]).await;
        assert_eq!(raised.len(), 1, "{url}");
        assert_eq!(raised[0].kind, Rate, "{url}");
        assert!((raised[0].value.unwrap() - 1.5).abs() < 1e-9, "{url}");
        // 0.9 over two minutes is 0.45 per minute: clears.
        assert!(send(&store, "OUT16.FLOW", &[(4, 5.9)]).await.is_empty());
        assert_eq!(
            history(&store, "OUT16.FLOW").await,
            [(Rate, ClearedUnacknowledged, 2, Some(4))],
            "{url}"
        );
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_is_swept_and_cleared_by_the_next_point() {
    for (url, store) in common::stores("alarm_stale").await {
        register(&store).await;
        send(&store, "OUT16.TURB", &[(0, 1.0)]).await;
        // Interval 60 s × factor 3: stale after 180 s.
        assert!(alarms::check_stale(&store, minute(0) + 179)
            .await
            .unwrap()
            .is_empty());
        let stale = alarms::check_stale(&store, minute(0) + 181).await.unwrap();
        assert_eq!(stale.len(), 1, "{url}");
        assert_eq!(
            (stale[0].kind, stale[0].tag.as_str()),
            (Stale, "OUT16.TURB")
        );
        assert_eq!(stale[0].limit, Some(180.0), "{url}");
        assert_eq!(stale[0].priority, 3, "{url}");
        assert!(
            alarms::check_stale(&store, minute(10))
                .await
                .unwrap()
                .is_empty(),
            "{url}: one standing stale alarm, not one per sweep"
        );
        send(&store, "OUT16.TURB", &[(11, 1.0)]).await;
        assert_eq!(
            history(&store, "OUT16.TURB").await,
            [(Stale, ClearedUnacknowledged, 3, Some(11))],
            "{url}"
        );
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledging_and_clearing_in_either_order_close_the_alarm() {
    for (url, store) in common::stores("alarm_ack").await {
        register(&store).await;
        let high = send(&store, "POOL.LEVEL", &[(0, 8.5)]).await.remove(0);
        // Acknowledged while active, then cleared: closed.
        let acked = alarms::acknowledge(&store, high.id, "bob", "  pump 2 started  ", minute(1))
            .await
            .unwrap();
        assert_eq!(acked.state, AlarmState::Acknowledged, "{url}");
        assert_eq!(acked.note.as_deref(), Some("pump 2 started"), "{url}");
        assert_eq!(acked.acknowledged_by.as_deref(), Some("bob"), "{url}");
        let again = alarms::acknowledge(&store, high.id, "carol", "me too", minute(1)).await;
        assert!(
            matches!(again, Err(OpsError::Invalid(_))),
            "{url}: {again:?}"
        );
        send(&store, "POOL.LEVEL", &[(2, 5.0)]).await;
        assert_eq!(
            alarms::alarm(&store, high.id).await.unwrap().state,
            Closed,
            "{url}"
        );
        // Cleared first (cleared, unacknowledged, still listed), then acknowledged: closed.
        let second = send(&store, "POOL.LEVEL", &[(3, 8.5)]).await.remove(0);
        send(&store, "POOL.LEVEL", &[(4, 5.0)]).await;
        let open = alarms::alarms(&store, &AlarmFilter::default(), 100, 0)
            .await
            .unwrap();
        assert_eq!(open.total, 1, "{url}");
        assert_eq!(open.items[0].state, ClearedUnacknowledged, "{url}");
        let closed = alarms::acknowledge(&store, second.id, "bob", "seen", minute(5))
            .await
            .unwrap();
        assert_eq!(closed.state, Closed, "{url}");
        let open = alarms::alarms(&store, &AlarmFilter::default(), 100, 0)
            .await
            .unwrap();
        assert_eq!(open.total, 0, "{url}: closed alarms leave the list");
        // Refusals.
        let unknown = alarms::acknowledge(&store, 9999, "bob", "?", minute(5)).await;
        assert!(
            matches!(unknown, Err(OpsError::NotFound(_))),
            "{url}: {unknown:?}"
        );
        let third = send(&store, "POOL.LEVEL", &[(6, 8.5)]).await.remove(0);
        let empty = alarms::acknowledge(&store, third.id, "bob", "   ", minute(7)).await;
        assert!(
            matches!(empty, Err(OpsError::Invalid(_))),
            "{url}: {empty:?}"
        );
        assert_eq!(
            audit_actions(&store, "alarm").await,
            ["acknowledge", "acknowledge"],
            "{url}: each acknowledgement audited, refusals not"
        );
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shelving_is_for_a_time_inherited_and_audited() {
    for (url, store) in common::stores("alarm_shelve").await {
        register(&store).await;
        let high = send(&store, "POOL.LEVEL", &[(0, 8.5)]).await.remove(0);
        for bad in [0, 59, alarms::MAX_SHELVE_S + 1] {
            let refused = alarms::shelve(&store, high.id, "bob", bad, minute(1)).await;
            assert!(matches!(refused, Err(OpsError::Invalid(_))), "{url}: {bad}");
        }
        let shelved = alarms::shelve(&store, high.id, "bob", 3600, minute(1))
            .await
            .unwrap();
        assert_eq!(shelved.shelved_until, Some(minute(61)), "{url}");
        assert!(shelved.shelved_at(minute(30)) && !shelved.shelved_at(minute(61)));
        let filter = AlarmFilter {
            state: StateFilter::Shelved,
            now: minute(2),
            ..AlarmFilter::default()
        };
        assert_eq!(
            alarms::alarms(&store, &filter, 10, 0).await.unwrap().total,
            1
        );
        // Cleared, then raised again while shelved: the new occurrence is shelved too.
        send(&store, "POOL.LEVEL", &[(2, 5.0)]).await;
        let again = send(&store, "POOL.LEVEL", &[(3, 8.5)]).await.remove(0);
        assert_eq!(again.shelved_until, Some(minute(61)), "{url}");
        let unshelved = alarms::unshelve(&store, again.id, "bob").await.unwrap();
        assert_eq!(unshelved.shelved_until, None, "{url}");
        send(&store, "POOL.LEVEL", &[(4, 5.0)]).await;
        let third = send(&store, "POOL.LEVEL", &[(5, 8.5)]).await.remove(0);
        assert_eq!(
            third.shelved_until, None,
            "{url}: unshelving ends the inheritance"
        );
        assert_eq!(
            audit_actions(&store, "alarm").await,
            ["shelve", "unshelve"],
            "{url}"
        );
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_filters_and_pages() {
    for (url, store) in common::stores("alarm_list").await {
        register(&store).await;
        send(&store, "POOL.LEVEL", &[(0, 9.5)]).await; // high and high-high at minute 0
        send(&store, "OUT16.FLOW", &[(0, 1.0), (1, 3.0)]).await; // rate at minute 1
        send(&store, "OUT16.TURB", &[(2, 6.0)]).await; // high at minute 2
        let page = |filter: AlarmFilter, limit, offset| {
            let store = store.clone();
            async move {
                alarms::alarms(&store, &filter, limit, offset)
                    .await
                    .unwrap()
            }
        };
        let all = page(AlarmFilter::default(), 100, 0).await;
        assert_eq!(all.total, 4, "{url}");
        let tags: Vec<&str> = all.items.iter().map(|a| a.tag.as_str()).collect();
        assert_eq!(tags[0], "OUT16.TURB", "{url}: newest first");
        let by_tag = AlarmFilter {
            tag: Some("POOL.LEVEL".into()),
            ..AlarmFilter::default()
        };
        assert_eq!(page(by_tag, 100, 0).await.total, 2, "{url}");
        let urgent = AlarmFilter {
            priority: Some(1),
            ..AlarmFilter::default()
        };
        let urgent = page(urgent, 100, 0).await;
        assert_eq!((urgent.total, urgent.items[0].kind), (1, HighHigh), "{url}");
        let window = AlarmFilter {
            from: Some(minute(1)),
            to: Some(minute(1)),
            ..AlarmFilter::default()
        };
        assert_eq!(page(window, 100, 0).await.items[0].kind, Rate, "{url}");
        let active = AlarmFilter {
            state: StateFilter::State(Active),
            ..AlarmFilter::default()
        };
        assert_eq!(page(active, 100, 0).await.total, 4, "{url}");
        let second = page(AlarmFilter::default(), 1, 1).await;
        assert_eq!((second.total, second.items.len()), (4, 1), "{url}");
        assert_eq!(second.items[0].tag, "OUT16.FLOW", "{url}");
        assert_eq!(
            StateFilter::parse("cleared_unacknowledged"),
            Some(StateFilter::State(ClearedUnacknowledged))
        );
        assert_eq!(StateFilter::parse("nonsense"), None);
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_are_checked_and_audited_and_recipients_listed() {
    for (url, store) in common::stores("alarm_settings").await {
        register(&store).await;
        let good = alarms::limits(&store, "POOL.LEVEL").await.unwrap();
        assert_eq!(
            (good.low, good.high, good.deadband, good.stale_factor),
            (Some(2.0), Some(8.0), 0.5, 3.0)
        );
        let bad = [
            AlarmLimits {
                high: Some(1.5),
                ..good
            },
            AlarmLimits {
                deadband: -1.0,
                ..good
            },
            AlarmLimits {
                stale_factor: 0.5,
                ..good
            },
            AlarmLimits {
                rate_limit_per_minute: Some(0.0),
                ..good
            },
            AlarmLimits {
                low: Some(f64::NAN),
                ..good
            },
        ];
        for limits in bad {
            let refused = alarms::set_limits(&store, "POOL.LEVEL", &limits, "alice").await;
            assert!(
                matches!(refused, Err(OpsError::Invalid(_))),
                "{url}: {limits:?}"
            );
        }
        let unknown = alarms::set_limits(&store, "NOPE", &good, "alice").await;
        assert!(matches!(unknown, Err(OpsError::NotFound(_))), "{url}");
        let raised = AlarmLimits {
            high: Some(8.8),
            ..good
        };
        alarms::set_limits(&store, "POOL.LEVEL", &raised, "alice")
            .await
            .unwrap();
        assert_eq!(alarms::limits(&store, "POOL.LEVEL").await.unwrap(), raised);
        assert!(
            send(&store, "POOL.LEVEL", &[(0, 8.5)]).await.is_empty(),
            "{url}: new limit applies"
        );
        assert_eq!(
            audit_actions(&store, "tag_limits").await,
            ["update", "update"],
            "{url}"
        );
        for (name, active) in [("dora", 1), ("eve", 1), ("finn", 0)] {
            sqlx::query("INSERT INTO users (username, display_name, password_hash, role, active, created_at) VALUES ($1, $1, 'x', 'operator', $2, 0)")
                .bind(name)
                .bind(active)
                .execute(store.pool())
                .await
                .unwrap();
        }
        for (name, on_duty) in [("dora", true), ("eve", false), ("finn", true)] {
            let recipient = Recipient {
                username: name.into(),
                email: format!("{name}@example.org"),
                on_duty,
            };
            alarms::set_recipient(&store, &recipient, "alice")
                .await
                .unwrap();
        }
        let bad = Recipient {
            username: "dora".into(),
            email: "not mail".into(),
            on_duty: true,
        };
        assert!(alarms::set_recipient(&store, &bad, "alice").await.is_err());
        let stranger = Recipient {
            username: "nobody".into(),
            email: "n@example.org".into(),
            on_duty: true,
        };
        let unknown = alarms::set_recipient(&store, &stranger, "alice").await;
        assert!(matches!(unknown, Err(OpsError::NotFound(_))), "{url}");
        assert_eq!(alarms::recipients(&store).await.unwrap().len(), 3, "{url}");
        let duty = alarms::on_duty_recipients(&store).await.unwrap();
        let names: Vec<&str> = duty.iter().map(|r| r.username.as_str()).collect();
        assert_eq!(names, ["dora"], "{url}: on duty and active only");
        store.close().await;
    }
}
