//! The review of one application against the zones and the rule set: which zones the footprint
//! touches, its geodesic distances, every rule that fires, and the decision.

use geo::{Geometry, Intersects};
use serde::Serialize;

use crate::application::Application;
use crate::index::EdgeIndex;
use crate::rules::{Condition, Decision, Rule, RuleSet, ZoneKind};
use crate::zones::ZoneMap;

/// Distance from the footprint to one zone.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneDistance {
    /// Zone kind.
    pub zone: ZoneKind,
    /// Zone name.
    pub name: String,
    /// Feature index in the zones file, when loaded from one.
    pub feature: Option<usize>,
    /// Geodesic distance from the footprint's edge (a point's radius included) to the zone, m;
    /// 0 when it touches.
    pub distance_m: f64,
    /// Whether the footprint touches or lies in the zone.
    pub touches: bool,
}

/// A rule that fired.
#[derive(Debug, Clone, Serialize)]
pub struct FiredRule {
    /// Rule id.
    pub id: String,
    /// The rule in plain words.
    pub text: String,
    /// Legal source.
    pub source: String,
    /// The rule's decision.
    pub decision: Decision,
    /// Id of the rule that set this one aside, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overridden_by: Option<String>,
}

impl FiredRule {
    fn from(rule: &Rule) -> Self {
        Self {
            id: rule.id.clone(),
            text: rule.text.clone(),
            source: rule.source.clone(),
            decision: rule.decision,
            overridden_by: None,
        }
    }
}

/// Which rule set decided.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSetVersion {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
}

/// The outcome of a review.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// Project name.
    pub application: String,
    /// Project category.
    pub category: String,
    /// The decision: the most severe of the rules in force.
    pub decision: Decision,
    /// Rules in force, in rule-set order.
    pub rules: Vec<FiredRule>,
    /// Rules that fired but were set aside by a more specific one.
    pub overridden: Vec<FiredRule>,
    /// The strictest zone the footprint touches.
    pub zone: Option<ZoneKind>,
    /// Every zone kind touched, strictest first.
    pub zones_touched: Vec<ZoneKind>,
    /// Geodesic distance from the footprint to the canal centre line, m (0 if it crosses it).
    pub distance_to_canal_m: Option<f64>,
    /// Whether the footprint itself crosses or touches the canal line.
    pub footprint_crosses_canal: bool,
    /// Distance to each zone.
    pub distances: Vec<ZoneDistance>,
    /// The rule set used.
    pub rule_set: RuleSetVersion,
}

/// Distance from a footprint (radius included) to a target, m, and whether they touch.
fn footprint_distance(
    footprint: &Geometry,
    radius_m: f64,
    target: &Geometry,
    target_edges: &EdgeIndex,
) -> (f64, bool) {
    if footprint.intersects(target) {
        return (0.0, true);
    }
    let raw = target_edges.distance_m(footprint);
    ((raw - radius_m).max(0.0), raw <= radius_m)
}

struct Facts<'a> {
    application: &'a Application,
    touched: &'a [ZoneKind],
    crosses_canal: bool,
    distance_to_canal_m: Option<f64>,
}

fn holds(c: &Condition, f: &Facts) -> bool {
    let a = f.application;
    let flag = |want: Option<bool>, have: bool| want.is_none_or(|w| w == have);
    c.zones
        .as_ref()
        .is_none_or(|zones| zones.iter().any(|z| f.touched.contains(z)))
        && c.outside_all_zones
            .is_none_or(|w| w == f.touched.is_empty())
        && c.categories
            .as_ref()
            .is_none_or(|cs| cs.contains(&a.category))
        && c.not_categories
            .as_ref()
            .is_none_or(|cs| !cs.contains(&a.category))
        && flag(c.discharges_pollutants, a.discharges_pollutants)
        && flag(c.stores_hazardous_goods, a.stores_hazardous_goods)
        && flag(c.crosses_canal, f.crosses_canal)
        && flag(c.serves_water_supply, a.serves_water_supply)
        && c.within_canal_m
            .is_none_or(|m| f.distance_to_canal_m.is_some_and(|d| d <= m))
}

/// Reviews an application against the zones with a rule set.
pub fn review(application: &Application, map: &ZoneMap, rules: &RuleSet) -> Review {
    let footprint = &application.footprint;
    let radius = application.radius_m;
    let mut distances: Vec<ZoneDistance> = map
        .zones
        .iter()
        .map(|zone| {
            let (distance_m, touches) = footprint_distance(
                footprint,
                radius,
                &Geometry::MultiPolygon(zone.area.clone()),
                zone.edges(),
            );
            ZoneDistance {
                zone: zone.kind,
                name: zone.name.clone(),
                feature: zone.feature,
                distance_m,
                touches,
            }
        })
        .collect();
    distances.sort_by_key(|d| (rules.strictness(d.zone), d.feature));
    let (distance_to_canal_m, footprint_crosses_canal) = match (&map.canal, map.canal_edges()) {
        (Some(canal), Some(canal_edges)) => {
            let (d, touches) = footprint_distance(
                footprint,
                radius,
                &Geometry::MultiLineString(canal.clone()),
                canal_edges,
            );
            (Some(d), touches)
        }
        _ => (None, false),
    };
    let mut touched: Vec<ZoneKind> = distances
        .iter()
        .filter(|d| d.touches)
        .map(|d| d.zone)
        .collect();
    touched.sort_by_key(|k| rules.strictness(*k));
    touched.dedup();
    let facts = Facts {
        application,
        touched: &touched,
        crosses_canal: application.crosses_canal || footprint_crosses_canal,
        distance_to_canal_m,
    };
    let fired: Vec<&Rule> = rules
        .rules
        .iter()
        .filter(|r| r.when.iter().any(|c| holds(c, &facts)))
        .collect();
    let mut in_force = Vec::new();
    let mut overridden = Vec::new();
    for rule in &fired {
        match fired.iter().find(|o| o.overrides.contains(&rule.id)) {
            Some(by) => overridden.push(FiredRule {
                overridden_by: Some(by.id.clone()),
                ..FiredRule::from(rule)
            }),
            None => in_force.push(FiredRule::from(rule)),
        }
    }
    if in_force.is_empty() && !touched.is_empty() {
        in_force.push(FiredRule::from(&rules.fallback));
    }
    let decision = in_force
        .iter()
        .map(|r| r.decision)
        .max()
        .unwrap_or(Decision::Pass);
    Review {
        application: application.name.clone(),
        category: application.category.clone(),
        decision,
        rules: in_force,
        overridden,
        zone: touched.first().copied(),
        zones_touched: touched,
        distance_to_canal_m,
        footprint_crosses_canal,
        distances,
        rule_set: RuleSetVersion {
            name: rules.name.clone(),
            version: rules.version.clone(),
        },
    }
}
