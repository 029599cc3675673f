//! The JSON API of the network, its runs and incidents.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use danjiang_network::{LinkKind, Network, NodeKind};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::incident::{self, IncidentParameters};
use super::network::{self, DEMO};
use super::results::{Quantity, Results};
use super::runs::{self, RunKind, RunRecord};
use super::{engine, SimulationError};
use crate::web::api::{ApiJson, ApiPath, ApiQuery};
use crate::web::auth::{Authorized, Operator, Viewer};
use crate::web::error::ApiError;
use crate::web::paging::Paging;
use crate::web::state::AppState;
use danjiang_simulation::Estimate;

/// The largest uploaded network accepted, bytes of .inp text.
pub const MAX_INP_BYTES: usize = 8 * 1024 * 1024;

/// The network of the demo in brief.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NetworkSummary {
    /// Title lines.
    pub title: Vec<String>,
    /// Junctions.
    pub junctions: usize,
    /// Reservoirs (the canal outlets in the demo).
    pub reservoirs: usize,
    /// Tanks.
    pub tanks: usize,
    /// Pipes.
    pub pipes: usize,
    /// Pumps.
    pub pumps: usize,
    /// Valves.
    pub valves: usize,
    /// Simulated duration, s.
    pub duration_s: u64,
}

/// `GET /api/v1/network`: the demo network in brief.
#[utoipa::path(get, path = "/api/v1/network", tag = "simulation",
    responses((status = 200, body = NetworkSummary), (status = 401, body = crate::web::error::ErrorBody)))]
pub async fn network(_user: Viewer) -> Result<ApiJson<NetworkSummary>, ApiError> {
    let network = network::demo_network()?;
    let counts = network.counts();
    Ok(ApiJson(NetworkSummary {
        title: network.title.clone(),
        junctions: counts.junctions,
        reservoirs: counts.reservoirs,
        tanks: counts.tanks,
        pipes: counts.pipes,
        pumps: counts.pumps,
        valves: counts.valves,
        duration_s: network.times.duration,
    }))
}

/// Which run's results to show with an element.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ElementParams {
    /// A finished run whose time series to include (else the demo network, no series).
    pub run: Option<i64>,
}

/// One quantity's values over a run at an element.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ElementSeries {
    /// pressure, head, demand, quality, flow, velocity or headloss.
    pub quantity: String,
    /// Its unit.
    pub unit: String,
    /// (time s, value) pairs.
    pub points: Vec<(f64, f64)>,
}

/// A node or link with its data and, with a run, its time series.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ElementDetail {
    /// ID.
    pub id: String,
    /// junction, reservoir, tank, pipe, pump or valve.
    pub kind: String,
    /// The element's data in SI units (m, m³/s).
    #[schema(value_type = Object)]
    pub properties: Map<String, Value>,
    /// The register's asset for it, if any.
    #[schema(value_type = Option<Object>)]
    pub asset: Option<Value>,
    /// The run the series come from.
    pub run: Option<i64>,
    /// Time series of the run.
    pub series: Vec<ElementSeries>,
}

async fn network_and_run(
    state: &AppState,
    run: Option<i64>,
) -> Result<(std::sync::Arc<Network>, Option<RunRecord>), SimulationError> {
    match run {
        None => Ok((network::demo_network()?, None)),
        Some(id) => {
            let record = runs::get(&state.store, id).await?;
            Ok((network::network_of(&record)?, Some(record)))
        }
    }
}

fn node_properties(network: &Network, index: usize) -> (String, Map<String, Value>) {
    let node = &network.nodes[index];
    let mut p = Map::new();
    p.insert("elevation_m".into(), json!(node.elevation));
    if let Some((x, y)) = node.coordinates {
        p.insert("x".into(), json!(x));
        p.insert("y".into(), json!(y));
    }
    let kind = match &node.kind {
        NodeKind::Junction(j) => {
            let base: f64 = j.demands.iter().map(|d| d.base).sum();
            p.insert("base_demand_m3s".into(), json!(base));
            "junction"
        }
        NodeKind::Reservoir(_) => "reservoir",
        NodeKind::Tank(t) => {
            p.insert("initial_level_m".into(), json!(t.initial_level));
            p.insert("max_level_m".into(), json!(t.max_level));
            p.insert("diameter_m".into(), json!(t.diameter));
            "tank"
        }
    };
    (kind.to_string(), p)
}

fn link_properties(network: &Network, index: usize) -> (String, Map<String, Value>) {
    let link = &network.links[index];
    let mut p = Map::new();
    p.insert("from".into(), json!(network.node(link.from).id));
    p.insert("to".into(), json!(network.node(link.to).id));
    let kind = match &link.kind {
        LinkKind::Pipe(pipe) => {
            p.insert("length_m".into(), json!(pipe.length));
            p.insert("diameter_m".into(), json!(pipe.diameter));
            p.insert("roughness".into(), json!(pipe.roughness));
            "pipe"
        }
        LinkKind::Pump(_) => "pump",
        LinkKind::Valve(valve) => {
            p.insert("valve_type".into(), json!(valve.valve_type.keyword()));
            p.insert("diameter_m".into(), json!(valve.diameter));
            p.insert("setting".into(), json!(valve.setting));
            "valve"
        }
    };
    (kind.to_string(), p)
}

/// The series of an element in a finished run: node quantities or link quantities of a
/// hydraulic run; the concentration of a node in an incident.
pub fn element_series(
    run: &RunRecord,
    of_nodes: bool,
    index: usize,
) -> Result<Vec<ElementSeries>, SimulationError> {
    if !run.is_done() {
        return Ok(Vec::new());
    }
    let path = run.output_path()?;
    if run.kind == RunKind::Incident.name() {
        if !of_nodes {
            return Ok(Vec::new());
        }
        let frames = incident::read_frames(&path)?;
        let points = frames
            .times
            .iter()
            .zip(&frames.node_concentration)
            .filter_map(|(t, values)| values.get(index).map(|&c| (*t as f64, f64::from(c))))
            .collect();
        return Ok(vec![ElementSeries {
            quantity: "quality".into(),
            unit: "mg/L".into(),
            points,
        }]);
    }
    let quantities: Vec<Quantity> = Quantity::ALL
        .into_iter()
        .filter(|q| q.of_nodes() == of_nodes)
        .collect();
    let mut results = Results::open(&path)?;
    let has_quality = results.prolog().quality_code != 0;
    let quantities: Vec<Quantity> = quantities
        .into_iter()
        .filter(|q| *q != Quantity::Quality || has_quality)
        .collect();
    let series = results.series(&quantities, index)?;
    Ok(quantities
        .iter()
        .zip(series)
        .map(|(q, points)| ElementSeries {
            quantity: q.name().into(),
            unit: q.unit(results.prolog()),
            points,
        })
        .collect())
}

async fn element(
    state: &AppState,
    id: &str,
    run: Option<i64>,
    of_nodes: bool,
) -> Result<ElementDetail, SimulationError> {
    let (network, record) = network_and_run(state, run).await?;
    let (kind, properties, index) = if of_nodes {
        let index = network
            .node_idx(id)
            .ok_or_else(|| SimulationError::NotFound(format!("node `{id}`")))?
            .index();
        let (kind, properties) = node_properties(&network, index);
        (kind, properties, index)
    } else {
        let index = network
            .link_idx(id)
            .ok_or_else(|| SimulationError::NotFound(format!("link `{id}`")))?
            .index();
        let (kind, properties) = link_properties(&network, index);
        (kind, properties, index)
    };
    let registered = network::registered_elements(&state.store).await?;
    let asset = registered
        .get(id)
        .map(|r| json!({"code": r.code, "kind": r.kind, "name": r.name, "name_zh": r.name_zh}));
    let series = match &record {
        Some(run) => {
            let run = run.clone();
            tokio::task::spawn_blocking(move || element_series(&run, of_nodes, index))
                .await
                .map_err(|e| SimulationError::Run(e.to_string()))??
        }
        None => Vec::new(),
    };
    Ok(ElementDetail {
        id: id.to_string(),
        kind,
        properties,
        asset: if of_nodes { asset } else { None },
        run: record.map(|r| r.id),
        series,
    })
}

/// `GET /api/v1/network/nodes/{id}`: a node's data and, with `run`, its time series.
#[utoipa::path(get, path = "/api/v1/network/nodes/{id}", tag = "simulation",
    params(("id" = String, Path, description = "Node ID"), ElementParams),
    responses((status = 200, body = ElementDetail), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn node(
    State(state): State<AppState>,
    _user: Viewer,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<ElementParams>,
) -> Result<ApiJson<ElementDetail>, ApiError> {
    Ok(ApiJson(element(&state, &id, params.run, true).await?))
}

/// `GET /api/v1/network/links/{id}`: a link's data and, with `run`, its time series.
#[utoipa::path(get, path = "/api/v1/network/links/{id}", tag = "simulation",
    params(("id" = String, Path, description = "Link ID"), ElementParams),
    responses((status = 200, body = ElementDetail), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn link(
    State(state): State<AppState>,
    _user: Viewer,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<ElementParams>,
) -> Result<ApiJson<ElementDetail>, ApiError> {
    Ok(ApiJson(element(&state, &id, params.run, false).await?))
}

/// One page of runs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RunPage {
    /// Runs of the kind asked.
    pub total: i64,
    /// The page.
    pub paging: Paging,
    /// Runs, newest first.
    pub items: Vec<RunRecord>,
}

/// Filters of the run list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunParams {
    /// Only `hydraulic` or `incident` runs.
    pub kind: Option<RunKind>,
    /// Items in the page, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// Items skipped (default 0).
    pub offset: Option<i64>,
}

async fn page_of(
    state: &AppState,
    kind: Option<RunKind>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<ApiJson<RunPage>, ApiError> {
    let paging = Paging::of(limit, offset)?;
    let (items, total) = runs::list(&state.store, kind, paging.limit, paging.offset).await?;
    Ok(ApiJson(RunPage {
        total,
        paging,
        items,
    }))
}

/// `GET /api/v1/runs`: simulation runs, newest first.
#[utoipa::path(get, path = "/api/v1/runs", tag = "simulation", params(RunParams),
    responses((status = 200, body = RunPage), (status = 400, body = crate::web::error::ErrorBody)))]
pub async fn runs(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<RunParams>,
) -> Result<ApiJson<RunPage>, ApiError> {
    page_of(&state, params.kind, params.limit, params.offset).await
}

/// `GET /api/v1/incidents`: incident runs, newest first.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "simulation", params(crate::web::paging::PageParams),
    responses((status = 200, body = RunPage), (status = 400, body = crate::web::error::ErrorBody)))]
pub async fn incidents(
    State(state): State<AppState>,
    _user: Viewer,
    ApiQuery(params): ApiQuery<crate::web::paging::PageParams>,
) -> Result<ApiJson<RunPage>, ApiError> {
    page_of(&state, Some(RunKind::Incident), params.limit, params.offset).await
}

/// `GET /api/v1/runs/{id}` (also `/api/v1/incidents/{id}`): a run with its progress and, when
/// done, its summary.
#[utoipa::path(get, path = "/api/v1/runs/{id}", tag = "simulation",
    params(("id" = i64, Path, description = "Run number")),
    responses((status = 200, body = RunRecord), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn run(
    State(state): State<AppState>,
    _user: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<RunRecord>, ApiError> {
    Ok(ApiJson(runs::get(&state.store, id).await?))
}

/// A new hydraulic run: of the demo network, or of an uploaded network.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRun {
    /// The text of an EPANET input file; absent: the demo network.
    pub inp: Option<String>,
    /// The uploaded file's name (shown in lists).
    pub name: Option<String>,
}

/// Checks and starts a hydraulic run; the caller has checked the role.
pub async fn start_hydraulic_run(
    state: &AppState,
    username: &str,
    request: NewRun,
) -> Result<RunRecord, SimulationError> {
    let (network, name) = match &request.inp {
        None => (network::demo_network()?, DEMO.to_string()),
        Some(text) => {
            if text.len() > MAX_INP_BYTES {
                return Err(SimulationError::BadRequest(format!(
                    "inp: {} bytes, expected at most {MAX_INP_BYTES}",
                    text.len()
                )));
            }
            let name = request
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| "uploaded.inp".to_string());
            let name: String = name.chars().filter(|c| !c.is_control()).take(100).collect();
            (
                std::sync::Arc::new(network::read_uploaded(text, &name)?),
                name,
            )
        }
    };
    // Refused before anything is written: the run's size from its times and element counts.
    let budget = state.run_limits.budget();
    budget.check(&Estimate::of(&network, true, 0))?;
    let record = runs::create(
        &state.store,
        RunKind::Hydraulic,
        &name,
        request.inp.as_deref(),
        &json!({}),
        username,
    )
    .await?;
    let input_name = name.clone();
    runs::start(
        state.store.clone(),
        &record,
        Box::new(move |out_path, progress| {
            let figures = engine::run_to_file(&network, &input_name, &budget, out_path, progress)?;
            serde_json::to_value(figures).map_err(|e| SimulationError::Run(e.to_string()))
        }),
    )?;
    Ok(record)
}

/// Checks and starts an incident run on the demo network; the caller has checked the role.
pub async fn start_incident_run(
    state: &AppState,
    username: &str,
    parameters: IncidentParameters,
) -> Result<RunRecord, SimulationError> {
    let network = network::demo_network()?;
    parameters.check(&network)?;
    let registered = network::registered_elements(&state.store).await?;
    let record = runs::create(
        &state.store,
        RunKind::Incident,
        DEMO,
        None,
        &serde_json::to_value(&parameters).map_err(|e| SimulationError::Run(e.to_string()))?,
        username,
    )
    .await?;
    runs::start(
        state.store.clone(),
        &record,
        Box::new(move |out_path, progress| {
            incident::run(&network, &parameters, &registered, out_path, progress)
        }),
    )?;
    Ok(record)
}

fn accepted(record: RunRecord) -> Response {
    (StatusCode::ACCEPTED, axum::Json(record)).into_response()
}

/// `POST /api/v1/runs`: starts a hydraulic run in the background (operator or admin; the
/// session's CSRF token in `X-CSRF-Token`). Poll `GET /api/v1/runs/{id}` for its progress.
#[utoipa::path(post, path = "/api/v1/runs", tag = "simulation", request_body = NewRun,
    responses((status = 202, body = RunRecord), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody, description = "over a run limit of the server")))]
pub async fn start_run(
    State(state): State<AppState>,
    Authorized(user): Operator,
    ApiJson(request): ApiJson<NewRun>,
) -> Result<Response, ApiError> {
    let record = start_hydraulic_run(&state, &user.user.username, request).await?;
    Ok(accepted(record))
}

/// `POST /api/v1/incidents`: starts an incident run on the demo network in the background
/// (operator or admin; CSRF header). Poll `GET /api/v1/incidents/{id}`.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "simulation",
    request_body = IncidentParameters,
    responses((status = 202, body = RunRecord), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn start_incident(
    State(state): State<AppState>,
    Authorized(user): Operator,
    ApiJson(parameters): ApiJson<IncidentParameters>,
) -> Result<Response, ApiError> {
    let record = start_incident_run(&state, &user.user.username, parameters).await?;
    Ok(accepted(record))
}

/// Which values of a run.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValueParams {
    /// pressure, head, demand, quality (nodes) or flow, velocity, headloss (links); an
    /// incident has quality only.
    pub quantity: Option<String>,
    /// Reporting period (incident: frame), from 0 (default 0).
    pub period: Option<usize>,
}

/// A quantity at every node or link at one time.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PeriodValues {
    /// The quantity.
    pub quantity: String,
    /// Its unit.
    pub unit: String,
    /// The period asked.
    pub period: usize,
    /// How many periods the run has.
    pub periods: usize,
    /// Time of the period, s.
    pub time_s: i64,
    /// Node or link IDs.
    pub ids: Vec<String>,
    /// Values, in the order of `ids`.
    pub values: Vec<f64>,
}

/// A quantity of a finished run at one period, by element (what the map colours).
pub fn period_values(
    network: &Network,
    run: &RunRecord,
    quantity: Quantity,
    period: usize,
) -> Result<PeriodValues, SimulationError> {
    if !run.is_done() {
        return Err(SimulationError::BadRequest(format!(
            "run {} is {}: values exist once it is done",
            run.id, run.status
        )));
    }
    let path = run.output_path()?;
    if run.kind == RunKind::Incident.name() {
        if quantity != Quantity::Quality {
            return Err(SimulationError::BadRequest(
                "an incident run has the quantity `quality` only".into(),
            ));
        }
        let frames = incident::read_frames(&path)?;
        let values = frames.node_concentration.get(period).ok_or_else(|| {
            SimulationError::BadRequest(format!(
                "period {period}: the run has frames 0 to {}",
                frames.times.len().saturating_sub(1)
            ))
        })?;
        return Ok(PeriodValues {
            quantity: quantity.name().into(),
            unit: "mg/L".into(),
            period,
            periods: frames.times.len(),
            time_s: frames.times[period] as i64,
            ids: network.nodes.iter().map(|n| n.id.clone()).collect(),
            values: values.iter().map(|&v| f64::from(v)).collect(),
        });
    }
    let mut results = Results::open(&path)?;
    let values = results.values(quantity, period, false)?;
    let ids = if quantity.of_nodes() {
        network.nodes.iter().map(|n| n.id.clone()).collect()
    } else {
        network.links.iter().map(|l| l.id.clone()).collect()
    };
    Ok(PeriodValues {
        quantity: quantity.name().into(),
        unit: quantity.unit(results.prolog()),
        period,
        periods: results.period_count(),
        time_s: results.period_time(period),
        ids,
        values,
    })
}

/// `GET /api/v1/runs/{id}/values`: a quantity at every node or link at one period.
#[utoipa::path(get, path = "/api/v1/runs/{id}/values", tag = "simulation",
    params(("id" = i64, Path, description = "Run number"), ValueParams),
    responses((status = 200, body = PeriodValues), (status = 400, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn values(
    State(state): State<AppState>,
    _user: Viewer,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<ValueParams>,
) -> Result<ApiJson<PeriodValues>, ApiError> {
    let record = runs::get(&state.store, id).await?;
    let quantity = match params.quantity.as_deref() {
        Some(name) => Quantity::parse(name)?,
        None if record.kind == RunKind::Incident.name() => Quantity::Quality,
        None => Quantity::Pressure,
    };
    let network = network::network_of(&record)?;
    let period = params.period.unwrap_or(0);
    let values =
        tokio::task::spawn_blocking(move || period_values(&network, &record, quantity, period))
            .await
            .map_err(|e| SimulationError::Run(e.to_string()))??;
    Ok(ApiJson(values))
}

/// The OpenAPI description of this module's endpoints, merged into the API's document.
#[derive(OpenApi)]
#[openapi(
    paths(network, node, link, runs, run, start_run, values, incidents, start_incident),
    components(schemas(
        NetworkSummary,
        ElementDetail,
        ElementSeries,
        RunPage,
        RunRecord,
        NewRun,
        PeriodValues,
        IncidentParameters,
        incident::InjectionKind,
        incident::IncidentSummary,
        incident::PlantOutcome,
        incident::IsolatingValve,
        engine::RunFigures,
    )),
    tags((name = "simulation", description = "The network map, simulation runs and the incident simulator"))
)]
pub struct SimulationApi;
