//! Siting review of projects in the drinking-water-source protection zones along a water-transfer
//! canal: zones from GeoJSON or widths, geodesic distances, data-driven rules, reasoned decisions.

pub mod application;
pub mod error;
pub mod geodesy;
pub mod geometry;
pub mod index;
pub mod review;
pub mod rules;
pub mod zones;

pub use application::Application;
pub use error::SitingError;
pub use review::{review, FiredRule, Review, ZoneDistance};
pub use rules::{Decision, Rule, RuleSet, Widths, ZoneKind};
pub use zones::{Section, Zone, ZoneMap};
