//! The site plan of a review: the protection zones in force, the canal centre line and the
//! application's footprint, drawn as SVG in metres about the footprint with a scale bar.

use crate::web::page::Ctx;

/// Metres per degree of latitude and (at the equator) of longitude, for the site plan's local
/// projection (equirectangular about the footprint: within a fraction of a percent over the
/// few kilometres the plan shows).
const METRES_PER_DEGREE: f64 = 111_320.0;

/// A site plan of a review: the protection zones of the map in force, the canal centre line and
/// the footprint (a point drawn with its radius), in metres about the footprint, with a scale
/// bar. `None` when the footprint does not read.
pub fn site_plan(
    ctx: &Ctx,
    application: &serde_json::Value,
    map: &danjiang_siting::ZoneMap,
    distance_to_canal_m: Option<f64>,
) -> Option<String> {
    use std::fmt::Write;
    let footprint = danjiang_siting::geometry::from_json_value(
        "application",
        "footprint",
        application.get("footprint")?,
    )
    .ok()?;
    let points = danjiang_siting::geometry::vertices(&footprint);
    let edges = danjiang_siting::geometry::edges(&footprint);
    if points.is_empty() {
        return None;
    }
    let n = points.len() as f64;
    let (lon0, lat0) = (
        points.iter().map(|c| c.x).sum::<f64>() / n,
        points.iter().map(|c| c.y).sum::<f64>() / n,
    );
    let cos = lat0.to_radians().cos();
    let local = |x: f64, y: f64| {
        (
            (x - lon0) * cos * METRES_PER_DEGREE,
            (y - lat0) * METRES_PER_DEGREE,
        )
    };
    let radius = application
        .get("radius_m")
        .and_then(|r| r.as_f64())
        .unwrap_or(0.0);
    let extent = points
        .iter()
        .map(|c| {
            let (x, y) = local(c.x, c.y);
            x.abs().max(y.abs())
        })
        .fold(0.0f64, f64::max);
    let half = (extent * 1.6)
        .max(radius * 3.0)
        .max(distance_to_canal_m.unwrap_or(0.0) * 1.4)
        .clamp(150.0, 8000.0);
    let (width, height) = (640.0, 400.0);
    let scale = (height / 2.0 - 10.0) / half;
    let to_svg = |x: f64, y: f64| {
        let (mx, my) = local(x, y);
        (width / 2.0 + mx * scale, height / 2.0 - my * scale)
    };
    let ring_path = |coords: Vec<(f64, f64)>| {
        let mut d = String::new();
        for (i, (lon, lat)) in coords.into_iter().enumerate() {
            let (x, y) = to_svg(lon, lat);
            let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
        }
        d
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"dj-chart site-plan\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         aria-label=\"{}\" style=\"background:#fff;border:1px solid #d8dee2;max-width:720px\">",
        maud::html! { (ctx.t("siting.plan")) }.into_string()
    );
    for zone in &map.zones {
        let (fill, title) = match zone.kind.as_str() {
            "first-class" => ("#fca5a5", ctx.t("siting.zone_first-class")),
            "works-protection" => ("#fdba74", ctx.t("siting.zone_works-protection")),
            _ => ("#fde68a", ctx.t("siting.zone_second-class")),
        };
        let mut d = String::new();
        for polygon in &zone.area.0 {
            d.push_str(&ring_path(
                polygon.exterior().0.iter().map(|c| (c.x, c.y)).collect(),
            ));
            d.push('Z');
            for hole in polygon.interiors() {
                d.push_str(&ring_path(hole.0.iter().map(|c| (c.x, c.y)).collect()));
                d.push('Z');
            }
        }
        let _ = write!(
            out,
            "<path class=\"zone zone-{}\" d=\"{d}\" fill=\"{fill}\" fill-opacity=\"0.55\" \
             fill-rule=\"evenodd\" stroke=\"#92400e\" stroke-width=\"0.6\"><title>{}</title></path>",
            zone.kind.as_str(),
            maud::html! { (title) " · " (zone.name) }.into_string()
        );
    }
    if let Some(canal) = &map.canal {
        for line in &canal.0 {
            let _ = write!(
                out,
                "<path class=\"canal\" d=\"{}\" fill=\"none\" stroke=\"#1d4ed8\" stroke-width=\"3\"/>",
                ring_path(line.0.iter().map(|c| (c.x, c.y)).collect())
            );
        }
    }
    if points.len() == 1 {
        let (x, y) = to_svg(points[0].x, points[0].y);
        let r = (radius * scale).max(4.0);
        let _ = write!(
            out,
            "<circle class=\"footprint\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\" fill=\"#111827\" \
             fill-opacity=\"0.35\" stroke=\"#111827\" stroke-width=\"2\"/>"
        );
    } else {
        let mut d = String::new();
        for (a, b) in &edges {
            let (x1, y1) = to_svg(a.x, a.y);
            let (x2, y2) = to_svg(b.x, b.y);
            let _ = write!(d, "M{x1:.1},{y1:.1}L{x2:.1},{y2:.1}");
        }
        let _ = write!(
            out,
            "<path class=\"footprint\" d=\"{d}\" fill=\"none\" stroke=\"#111827\" stroke-width=\"2.5\"/>"
        );
    }
    // A scale bar of a round length near a fifth of the width.
    let target = half * 2.0 * width / height / 5.0;
    let step = 10f64.powf(target.log10().floor());
    let length = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|k| k * step)
        .rfind(|l| *l <= target)
        .unwrap_or(step);
    let bar = length * scale;
    let label = if length >= 1000.0 {
        format!("{} km", length / 1000.0)
    } else {
        format!("{length} m")
    };
    let _ = write!(
        out,
        "<g class=\"scale\"><rect x=\"14\" y=\"{}\" width=\"{bar:.1}\" height=\"5\" fill=\"#111827\"/>\
         <text x=\"14\" y=\"{}\" font-size=\"12\">{label}</text></g></svg>",
        height - 22.0,
        height - 28.0
    );
    Some(out)
}
