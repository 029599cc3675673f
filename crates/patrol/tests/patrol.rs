//! Patrol rules checked against dates worked out by hand from the plans' definitions.

use chrono::{NaiveDate, NaiveDateTime};
use danjiang_patrol::*;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
}

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("test time")
}

fn plans(json: &str) -> PlanSet {
    PlanSet::from_json(json).expect("test plan set")
}

const WEEKLY_AND_FLOOD: &str = r#"{
  "version": "t", "source": "test",
  "seasons": [
    {"name": "flood season", "from": "06-01", "to": "09-30"},
    {"name": "winter", "from": "11-15", "to": "02-15"}
  ],
  "plans": [
    {"id": "line", "asset_kind": "pipeline", "task": "patrol",
     "frequency": {"every_days": 3}, "season_frequency": {"flood season": {"every_days": 1}}},
    {"id": "look", "asset_kind": "well", "task": "look", "frequency": {"every_days": 7}},
    {"id": "open", "asset_kind": "well", "task": "open", "frequency": {"every_months": 1}},
    {"id": "frost", "asset_kind": "well", "task": "frost check",
     "frequency": {"every_months": 2}, "season_frequency": {"winter": {"every_days": 14}}},
    {"id": "preflood", "asset_kind": "station", "task": "inspect", "frequency": {"yearly_by": "05-31"}}
  ]
}"#;

fn well(id: &str, station: &str, chainage: f64) -> Asset {
    Asset {
        id: id.into(),
        kind: "valve_well".into(),
        also_kinds: vec!["well".into()],
        station: station.into(),
        line: Some(("north trunk".into(), chainage)),
        in_service: day("2025-01-01"),
    }
}

#[test]
fn monthly_tasks_fall_on_the_last_day_of_shorter_months() {
    let set = plans(WEEKLY_AND_FLOOD);
    let open = set.plan("open").unwrap();
    assert_eq!(set.next_due(open, day("2025-01-31")), day("2025-02-28"));
    assert_eq!(set.next_due(open, day("2024-01-31")), day("2024-02-29"));
    assert_eq!(set.next_due(open, day("2025-12-15")), day("2026-01-15"));
}

#[test]
fn overdue_across_the_year_end() {
    let set = plans(WEEKLY_AND_FLOOD);
    let assets = [well("W1", "S1", 1.0)];
    let visits = [Visit {
        plan: "look".into(),
        asset: "W1".into(),
        date: day("2025-12-28"),
    }];
    let list = due_list(&set, &assets, &visits, day("2026-01-05"));
    let look = list.iter().find(|t| t.plan == "look").unwrap();
    assert_eq!(look.due, day("2026-01-04"));
    assert_eq!(look.state, DueState::Overdue);
    assert_eq!(look.days_overdue, 1);
    // Never visited: due from the day it came into service.
    let open = list.iter().find(|t| t.plan == "open").unwrap();
    assert_eq!(open.last_done, None);
    assert_eq!(open.due, day("2025-01-01"));
    assert_eq!(open.days_overdue, 369);
    // Overdue rows come first.
    assert!(list.windows(2).all(|w| w[0].state <= w[1].state));
}

#[test]
fn visits_after_today_do_not_count() {
    let set = plans(WEEKLY_AND_FLOOD);
    let assets = [well("W1", "S1", 1.0)];
    let visits = [
        Visit {
            plan: "look".into(),
            asset: "W1".into(),
            date: day("2025-03-01"),
        },
        Visit {
            plan: "look".into(),
            asset: "W1".into(),
            date: day("2025-03-20"),
        },
    ];
    let list = due_list(&set, &assets, &visits, day("2025-03-08"));
    let look = list.iter().find(|t| t.plan == "look").unwrap();
    assert_eq!(look.due, day("2025-03-08"));
    assert_eq!(look.state, DueState::Due);
}

#[test]
fn the_flood_season_makes_line_patrols_daily() {
    let set = plans(WEEKLY_AND_FLOOD);
    let line = set.plan("line").unwrap();
    // Before the season: every three days.
    assert_eq!(set.next_due(line, day("2025-05-20")), day("2025-05-23"));
    // Done on 30 May: the season starts on 1 June and the daily rule makes it due then.
    assert_eq!(set.next_due(line, day("2025-05-30")), day("2025-06-01"));
    // Inside the season: daily.
    assert_eq!(set.next_due(line, day("2025-07-10")), day("2025-07-11"));
    assert_eq!(set.next_due(line, day("2025-09-29")), day("2025-09-30"));
    // Done on the season's last day: three days again.
    assert_eq!(set.next_due(line, day("2025-09-30")), day("2025-10-03"));
}

#[test]
fn a_season_may_span_the_new_year() {
    let set = plans(WEEKLY_AND_FLOOD);
    let frost = set.plan("frost").unwrap();
    // 20 December is in winter: fortnightly, across the year end.
    assert_eq!(set.next_due(frost, day("2025-12-20")), day("2026-01-03"));
    // 1 March is outside: two months.
    assert_eq!(set.next_due(frost, day("2025-03-01")), day("2025-05-01"));
    // 1 November: two months would be 1 January, but winter starts on 15 November and the
    // fortnightly rule is already overdue then.
    assert_eq!(set.next_due(frost, day("2025-11-01")), day("2025-11-15"));
}

#[test]
fn yearly_inspection_before_the_flood_season() {
    let set = plans(WEEKLY_AND_FLOOD);
    let preflood = set.plan("preflood").unwrap();
    assert_eq!(set.next_due(preflood, day("2025-05-20")), day("2026-05-31"));
    assert_eq!(set.next_due(preflood, day("2025-06-10")), day("2026-05-31"));
    assert_eq!(set.next_due(preflood, day("2025-01-10")), day("2025-05-31"));
    assert_eq!(set.next_due(preflood, day("2025-05-31")), day("2026-05-31"));
}

#[test]
fn monthly_compliance_counts_done_late_missed_and_pending() {
    let set = plans(
        r#"{"version": "t", "source": "test", "plans": [
        {"id": "look", "asset_kind": "well", "task": "look", "frequency": {"every_days": 7}}]}"#,
    );
    let assets = [well("W1", "S1", 1.0), well("W2", "S2", 2.0)];
    let visit = |asset: &str, date: &str| Visit {
        plan: "look".into(),
        asset: asset.into(),
        date: day(date),
    };
    // W1: due 1 Jan (done), 8 Jan (done late on the 9th), 16 Jan (nothing until the 30th,
    // after the next due day of the 23rd: missed), 23 Jan (missed: the 30th is not before
    // the 30th), 30 Jan (done on the day).
    let visits = [
        visit("W1", "2025-01-01"),
        visit("W1", "2025-01-09"),
        visit("W1", "2025-01-30"),
    ];
    let report = monthly_compliance(&set, &assets, &visits, day("2025-01-15"), day("2025-02-28"));
    let s1 = report.iter().find(|c| c.station == "S1").unwrap();
    assert_eq!(
        (s1.planned, s1.done, s1.late, s1.missed, s1.pending),
        (5, 2, 1, 2, 0)
    );
    // W2 was never visited: due on 1, 8, 15, 22 and 29 January, all missed.
    let s2 = report.iter().find(|c| c.station == "S2").unwrap();
    assert_eq!((s2.planned, s2.missed), (5, 5));
    assert_eq!(s2.on_time_percent(), 0.0);

    // Judged on 3 January, W2's visit due on 1 January is pending, not missed yet.
    let early = monthly_compliance(&set, &assets, &visits, day("2025-01-15"), day("2025-01-03"));
    let s2 = early.iter().find(|c| c.station == "S2").unwrap();
    assert_eq!((s2.planned, s2.missed, s2.pending), (1, 0, 1));
}

#[test]
fn a_days_route_follows_chainage() {
    let set = plans(
        r#"{"version": "t", "source": "test", "plans": [
        {"id": "look", "asset_kind": "well", "task": "look", "frequency": {"every_days": 7}}]}"#,
    );
    let mut off_line = well("W9", "S1", 0.0);
    off_line.line = Some(("south trunk".into(), 0.5));
    let assets = [
        well("W3", "S1", 12.4),
        well("W1", "S1", 0.8),
        well("W2", "S1", 5.1),
        off_line,
    ];
    let visits = [Visit {
        plan: "look".into(),
        asset: "W2".into(),
        date: day("2025-03-01"),
    }];
    let route = route_for_day(&set, &assets, &visits, "north trunk", day("2025-03-03"));
    let order: Vec<&str> = route.iter().map(|(_, t)| t.asset.as_str()).collect();
    // W2 was looked at two days ago and is not due; W9 is on another line.
    assert_eq!(order, ["W1", "W3"]);
    assert!(route.windows(2).all(|w| w[0].0 <= w[1].0));
}

#[test]
fn a_defect_cannot_skip_a_state() {
    let mut defect = Defect::report(
        "D1",
        "W1",
        Severity::Major,
        "valve gland leaks",
        "li",
        at("2025-03-01 09:00"),
    );
    let step = |state, by: &str, time: &str| Transition {
        state,
        by: by.into(),
        at: at(time),
        note: String::new(),
    };
    assert_eq!(defect.state(), DefectState::Open);
    for skipped in [
        DefectState::Repaired,
        DefectState::Verified,
        DefectState::Closed,
    ] {
        assert!(defect
            .advance(step(skipped, "wang", "2025-03-02 10:00"))
            .is_err());
    }
    defect
        .advance(step(DefectState::Assigned, "wang", "2025-03-02 10:00"))
        .unwrap();
    assert!(defect
        .advance(step(DefectState::Closed, "wang", "2025-03-02 11:00"))
        .is_err());
    defect
        .advance(step(DefectState::Repaired, "zhao", "2025-03-03 16:00"))
        .unwrap();
    // Verification failed: back to assigned, then round again.
    defect
        .advance(step(DefectState::Assigned, "wang", "2025-03-04 09:00"))
        .unwrap();
    defect
        .advance(step(DefectState::Repaired, "zhao", "2025-03-05 16:00"))
        .unwrap();
    // A step back in time and an anonymous step are refused.
    assert!(defect
        .advance(step(DefectState::Verified, "wang", "2025-03-05 15:00"))
        .is_err());
    assert!(defect
        .advance(step(DefectState::Verified, " ", "2025-03-06 09:00"))
        .is_err());
    defect
        .advance(step(DefectState::Verified, "wang", "2025-03-06 09:00"))
        .unwrap();
    defect
        .advance(step(DefectState::Closed, "wang", "2025-03-06 10:00"))
        .unwrap();
    assert!(defect
        .advance(step(DefectState::Open, "wang", "2025-03-07 10:00"))
        .is_err());
    let states: Vec<DefectState> = defect.history.iter().map(|t| t.state).collect();
    assert_eq!(states.len(), 7);
    assert_eq!(defect.state(), DefectState::Closed);
}

#[test]
fn default_plans_load_and_bad_sets_are_refused() {
    let defaults = PlanSet::defaults().unwrap();
    assert!(defaults.plan("line-patrol").is_some());
    assert!(!defaults.source.is_empty());
    let unknown_season = r#"{"version": "t", "source": "t", "plans": [
        {"id": "x", "asset_kind": "well", "task": "t", "frequency": {"every_days": 1},
         "season_frequency": {"monsoon": {"every_days": 1}}}]}"#;
    let error = PlanSet::from_json(unknown_season).unwrap_err().to_string();
    assert!(error.contains("monsoon"), "{error}");
    let bad_date = r#"{"version": "t", "source": "t", "seasons": [{"name": "s", "from": "13-01", "to": "02-01"}], "plans": []}"#;
    assert!(PlanSet::from_json(bad_date).is_err());
}
