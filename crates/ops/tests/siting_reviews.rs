//! Siting reviews kept in the store, on SQLite and (when configured) PostgreSQL: the decision,
//! every rule with its source, the distances and the rule-set version come back as made.

mod common;

use chrono::NaiveDateTime;
use danjiang_ops::siting_reviews;
use danjiang_siting::{review, Application, Decision, Review, RuleSet, ZoneMap};
use sqlx::Row;

const ZONES: &str = include_str!("../../../examples/siting/zones.geojson");
const PLANT: &str = include_str!("../../../examples/siting/chemical-plant-30m.json");
const SHOP: &str = include_str!("../../../examples/siting/shop-5km.json");

fn reviewed(text: &str) -> Review {
    let rules = RuleSet::henan_canal_2018().unwrap();
    let zones = ZoneMap::from_geojson("zones.geojson", ZONES, &rules).unwrap();
    let application = Application::from_json("application.json", text, &rules).unwrap();
    review(&application, &zones, &rules)
}

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}

#[tokio::test]
async fn reviews_are_kept_with_rules_distances_and_rule_set() {
    for (url, store) in common::stores("siting_reviews").await {
        let plant = reviewed(PLANT);
        let shop = reviewed(SHOP);
        assert_eq!(plant.decision, Decision::Reject);
        let first = siting_reviews::save_review(
            &store,
            &plant,
            PLANT,
            at("2021-05-10 09:00"),
            Some("Chen Jie"),
        )
        .await
        .unwrap();
        let second = siting_reviews::save_review(&store, &shop, SHOP, at("2021-05-11 09:00"), None)
            .await
            .unwrap();
        assert_ne!(first, second, "{url}");

        let listed = siting_reviews::list_reviews(&store, None).await.unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].id, second, "newest first");
        let rejected = siting_reviews::list_reviews(&store, Some(Decision::Reject))
            .await
            .unwrap();
        assert_eq!(rejected.len(), 1);
        let row = &rejected[0];
        assert_eq!(row.decision, "REJECT", "{url}");
        assert_eq!(row.zone.as_deref(), Some("first-class"));
        assert_eq!(row.reviewed_by.as_deref(), Some("Chen Jie"));
        assert_eq!(row.rule_set_version, plant.rule_set.version);
        assert!(
            (row.distance_to_canal_m.unwrap() - plant.distance_to_canal_m.unwrap()).abs() < 1e-9
        );

        let full = siting_reviews::review(&store, first).await.unwrap();
        let made = serde_json::to_value(&plant).unwrap();
        for key in [
            "decision",
            "rules",
            "overridden",
            "zone",
            "zones_touched",
            "rule_set",
        ] {
            assert_eq!(full.outcome[key], made[key], "{url}: {key}");
        }
        assert_eq!(
            full.application_json,
            serde_json::from_str::<serde_json::Value>(PLANT).unwrap()
        );
        let rules: Vec<(String, String)> = sqlx::query(
            "SELECT rule_id, source FROM siting_review_rules WHERE review_id = $1 ORDER BY position",
        )
        .bind(first)
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get(0).unwrap(), r.try_get(1).unwrap()))
        .collect();
        let expected: Vec<(String, String)> = plant
            .rules
            .iter()
            .chain(&plant.overridden)
            .map(|r| (r.id.clone(), r.source.clone()))
            .collect();
        assert_eq!(rules, expected);
        assert!(rules.iter().any(|(id, _)| id == "WPL-65-first-class-zone"));
        let distances: i64 =
            sqlx::query("SELECT COUNT(*) FROM siting_review_distances WHERE review_id = $1")
                .bind(first)
                .fetch_one(store.pool())
                .await
                .unwrap()
                .try_get(0)
                .unwrap();
        assert_eq!(distances as usize, plant.distances.len());
        assert!(siting_reviews::review(&store, 999_999).await.is_err());
        assert!(siting_reviews::save_review(
            &store,
            &plant,
            "not json",
            at("2021-05-12 09:00"),
            None
        )
        .await
        .is_err());
    }
}
