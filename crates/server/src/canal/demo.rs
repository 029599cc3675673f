//! The demo canal, compiled in and built once, and what the web app shows of it: the places
//! along it (outlets, gates, outfall) and its steady profile (bed and water level).

use std::sync::{Arc, OnceLock};

use danjiang_canal::model::LinkKind;
use danjiang_canal::{inp, steady, Canal};
use serde::Serialize;
use utoipa::ToSchema;

use crate::web::error::ServerError;

/// Where the demo canal comes from, as its errors name it.
pub const DEMO_CANAL_FILE: &str = "examples/xuchang/canal.inp";

const DEMO_CANAL: &str = include_str!("../../../../examples/xuchang/canal.inp");

/// The demo canal, read and built once.
pub fn demo_canal() -> Result<Arc<Canal>, ServerError> {
    static CANAL: OnceLock<Result<Arc<Canal>, String>> = OnceLock::new();
    CANAL
        .get_or_init(|| {
            let model = inp::read_str(DEMO_CANAL, std::path::Path::new(DEMO_CANAL_FILE))
                .map_err(|e| e.to_string())?;
            Canal::new(model).map(Arc::new).map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|message| ServerError::Database(sqlx::Error::Protocol(message)))
}

/// A structure or withdrawal along the canal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CanalPlace {
    /// The link's ID.
    pub id: String,
    /// `outlet`, `gate`, `weir`.
    pub kind: String,
    /// Chainage from the upstream end, m.
    pub chainage_m: f64,
}

/// The canal as the web app draws it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CanalSummary {
    /// The file it was read from.
    pub file: String,
    /// Length of the main line, m.
    pub length_m: f64,
    /// Number of nodes and links in the file.
    pub nodes: usize,
    /// Number of links.
    pub links: usize,
    /// Outlets, gates and weirs by chainage.
    pub places: Vec<CanalPlace>,
    /// Chainage of each computational point, m.
    pub profile_chainage_m: Vec<f64>,
    /// Bed elevation at each point, m.
    pub profile_bed_m: Vec<f64>,
    /// Water level of the initial (steady or hot-start) state at each point, m.
    pub profile_level_m: Vec<f64>,
}

/// The summary of `canal` with its initial profile.
pub fn summary(canal: &Canal) -> Result<CanalSummary, ServerError> {
    let state = steady::initial_state(canal)
        .map_err(|e| ServerError::Database(sqlx::Error::Protocol(e.to_string())))?;
    let mut places: Vec<CanalPlace> = Vec::new();
    for (index, link) in canal.model.links.iter().enumerate() {
        let kind = match link.kind {
            LinkKind::Outlet { .. } => "outlet",
            LinkKind::Orifice { .. } => "gate",
            LinkKind::Weir { .. } => "weir",
            LinkKind::Conduit { .. } => continue,
        };
        let point = canal.link_points[index]
            .map(|(up, _)| up)
            .or_else(|| canal.node_points[link.from]);
        let Some(point) = point else { continue };
        places.push(CanalPlace {
            id: link.id.clone(),
            kind: kind.into(),
            chainage_m: canal.points[point].chainage,
        });
    }
    places.sort_by(|a, b| a.chainage_m.total_cmp(&b.chainage_m));
    Ok(CanalSummary {
        file: canal.model.file.display().to_string(),
        length_m: canal.length(),
        nodes: canal.model.nodes.len(),
        links: canal.model.links.len(),
        places,
        profile_chainage_m: canal.points.iter().map(|p| p.chainage).collect(),
        profile_bed_m: canal.points.iter().map(|p| p.bed).collect(),
        profile_level_m: state.level.clone(),
    })
}

/// The water level at every point and each link's setting at one report time.
#[derive(Debug, Clone)]
pub struct ProfileFrame {
    /// Time after the start, s.
    pub time_s: f64,
    /// Water level at each computational point, m.
    pub level_m: Vec<f64>,
    /// Setting (fraction open) of each link.
    pub settings: Vec<f64>,
}

/// The demo canal's profile at the start and every report step of its run, computed once.
pub fn demo_frames() -> Result<Arc<Vec<ProfileFrame>>, ServerError> {
    static FRAMES: OnceLock<Result<Arc<Vec<ProfileFrame>>, String>> = OnceLock::new();
    FRAMES
        .get_or_init(|| {
            let canal = demo_canal().map_err(|e| e.to_string())?;
            frames(&canal).map(Arc::new).map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|message| ServerError::Database(sqlx::Error::Protocol(message)))
}

fn frames(canal: &Canal) -> danjiang_canal::Result<Vec<ProfileFrame>> {
    let state = steady::initial_state(canal)?;
    let frame = |state: &danjiang_canal::HydraulicState| ProfileFrame {
        time_s: state.time_s,
        level_m: state.level.clone(),
        settings: state.settings.clone(),
    };
    let mut frames = vec![frame(&state)];
    let mut simulation = danjiang_canal::Simulation::new(canal, state);
    let step = canal.model.options.report_step_s;
    let mut next = step;
    while simulation.step()? {
        if simulation.state.time_s >= next - 1e-6 {
            frames.push(frame(&simulation.state));
            next += step;
        }
    }
    Ok(frames)
}
