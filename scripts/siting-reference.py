#!/usr/bin/env python3
"""Example zones and applications for the siting review, and their distances computed
independently with geographiclib (geodesics on WGS84), pyproj and shapely.

Writes, in examples/siting/:
  zones.geojson        the Xuchang section of the main canal (illustrative centre line through the
                       check gates and outlets named in shared/domain/SOURCE.md) with first-class,
                       works-protection and second-class zones made by buffering the centre line in
                       UTM zone 49N (illustrative widths: 50 m, 100 m and 1,000 m from the centre line)
  *.json               applications (chemical plant 30 m from the canal, outfalls, a road bridge, a
                       shop 5 km away, ...)
  expected.json        for each application, the geodesic distance from its footprint to the canal
                       and to each zone feature, in metres

Distances: edges between vertices are geodesics; the nearest point on each edge is found by
sampling along the geodesic and refining with a bounded scalar minimisation; a footprint that
intersects a target is at 0; a point's radius is subtracted.

Usage: scripts/siting-reference.py   (makes its own venv under the temp folder if packages are missing)
"""
import json
import math
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "examples", "siting")
VENV = os.path.join(tempfile.gettempdir(), "danjiang-reference-venv")
PACKAGES = ["geographiclib", "pyproj", "shapely", "scipy"]

# Illustrative canal centre line, lon/lat: Lanhe culvert inlet, outlet 15 Yanyao, outlet 16 Renpo,
# Yinghe inverted siphon outlet, outlet 17 Mengpo, Xiaohonghe inverted siphon outlet, outlet 18 Wali
# (approximate positions from SOURCE.md, tagged [I]/[V] there).
CANAL = [(113.312, 34.051), (113.382, 34.072), (113.407, 34.155), (113.440, 34.185),
         (113.548, 34.191), (113.623, 34.258), (113.669, 34.267)]
FIRST_CLASS_M = 50.0
WORKS_PROTECTION_M = 100.0
SECOND_CLASS_OUTER_M = 1000.0


def ensure_packages():
    try:
        import geographiclib  # noqa: F401
        import pyproj  # noqa: F401
        import shapely  # noqa: F401
        import scipy  # noqa: F401
    except ImportError:
        python = os.path.join(VENV, "bin", "python")
        if not os.path.exists(python):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([python, "-m", "pip", "install", "-q", *PACKAGES])
        os.execv(python, [python, *sys.argv])


def main():
    ensure_packages()
    from geographiclib.geodesic import Geodesic
    from pyproj import Transformer
    from scipy.optimize import minimize_scalar
    import numpy as np
    import shapely
    from shapely.geometry import LineString, mapping, shape

    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32649", always_xy=True).transform
    to_lonlat = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True).transform
    geod = Geodesic.WGS84

    def transform(function, geom):
        return shapely.transform(geom, lambda xy: np.column_stack(function(xy[:, 0], xy[:, 1])))

    def rounded(geom):
        return shapely.transform(geom, lambda xy: np.round(xy, 7))

    canal_utm = transform(to_utm, LineString(CANAL))
    first = canal_utm.buffer(FIRST_CLASS_M, quad_segs=8)
    works = canal_utm.buffer(WORKS_PROTECTION_M, quad_segs=8)
    second = canal_utm.buffer(SECOND_CLASS_OUTER_M, quad_segs=8).difference(first)
    features = [
        {"type": "Feature", "properties": {"kind": "canal", "name": "Main canal, Xuchang section (illustrative centre line)"},
         "geometry": mapping(LineString(CANAL))},
        {"type": "Feature", "properties": {"zone": "first-class", "name": "First-class zone (illustrative: 50 m from the centre line)"},
         "geometry": mapping(rounded(transform(to_lonlat, first)))},
        {"type": "Feature", "properties": {"zone": "works-protection", "name": "Works protection range (illustrative: 100 m from the centre line)"},
         "geometry": mapping(rounded(transform(to_lonlat, works)))},
        {"type": "Feature", "properties": {"zone": "second-class", "name": "Second-class zone (illustrative: 50 m to 1,000 m from the centre line)"},
         "geometry": mapping(rounded(transform(to_lonlat, second)))},
    ]
    zones = {"type": "FeatureCollection", "features": features}

    # Applications placed by offsets from the canal, measured in UTM, then written in lon/lat.
    def along(segment, fraction, offset_m, tangent_m=0.0):
        (x1, y1), (x2, y2) = [to_utm(*CANAL[segment]), to_utm(*CANAL[segment + 1])]
        length = math.hypot(x2 - x1, y2 - y1)
        tx, ty = (x2 - x1) / length, (y2 - y1) / length
        nx, ny = -ty, tx  # left of the flow direction
        x = x1 + fraction * (x2 - x1) + nx * offset_m + tx * tangent_m
        y = y1 + fraction * (y2 - y1) + ny * offset_m + ty * tangent_m
        lon, lat = to_lonlat(x, y)
        return [round(lon, 7), round(lat, 7)]

    def square(segment, fraction, near_m, depth_m, half_width_m):
        ring = [along(segment, fraction, near_m, -half_width_m), along(segment, fraction, near_m, half_width_m),
                along(segment, fraction, near_m + depth_m, half_width_m), along(segment, fraction, near_m + depth_m, -half_width_m)]
        return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}

    def app(name, category, footprint, radius=None, **flags):
        a = {"name": name, "category": category, "footprint": footprint}
        if radius is not None:
            a["radius_m"] = radius
        for key in ("discharges_pollutants", "stores_hazardous_goods", "crosses_canal", "serves_water_supply"):
            a[key] = flags.get(key, False)
        return a

    applications = {
        "chemical-plant-30m.json": app("Chemical plant 30 m from the canal", "chemical_plant",
                                       square(1, 0.5, 30.0, 120.0, 60.0), discharges_pollutants=True,
                                       stores_hazardous_goods=True),
        "outfall-second-class.json": app("Sewage outfall 400 m from the canal", "sewage_outfall",
                                         {"type": "Point", "coordinates": along(3, 0.4, -400.0)},
                                         discharges_pollutants=True),
        "outfall-works-range.json": app("Storm and sewage outfall 80 m from the canal", "sewage_outfall",
                                        {"type": "Point", "coordinates": along(4, 0.3, 80.0)},
                                        discharges_pollutants=True),
        "road-bridge.json": app("County road bridge over the canal", "road_bridge",
                                {"type": "LineString", "coordinates": [along(2, 0.5, -300.0), along(2, 0.5, 300.0)]},
                                crosses_canal=True),
        "shop-5km.json": app("Village shop 5 km from the canal", "shop",
                             {"type": "Point", "coordinates": along(3, 0.5, 5000.0)}, radius=25.0),
        "farmland-second-class.json": app("Orchard 600 m from the canal", "farmland",
                                          square(0, 0.6, 600.0, 200.0, 100.0)),
        "fuel-station-second-class.json": app("Fuel station 700 m from the canal", "fuel_station",
                                              {"type": "Point", "coordinates": along(5, 0.5, -700.0)}, radius=40.0,
                                              stores_hazardous_goods=True),
        "houses-works-range.json": app("Houses 70 m from the canal", "residential",
                                       square(4, 0.7, 70.0, 25.0, 30.0)),
        "water-intake.json": app("Water plant intake at outlet 17", "water_supply_facility",
                                 {"type": "Point", "coordinates": along(4, 0.999, 20.0)}, radius=10.0,
                                 serves_water_supply=True),
    }

    # Independent geodesic distances.
    def point_to_edge(p, a, b):
        line = geod.InverseLine(a[1], a[0], b[1], b[0])
        if line.s13 == 0:
            return geod.Inverse(p[1], p[0], a[1], a[0])["s12"]

        def f(s):
            q = line.Position(s)
            return geod.Inverse(p[1], p[0], q["lat2"], q["lon2"])["s12"]

        samples = [line.s13 * i / 64 for i in range(65)]
        values = [f(s) for s in samples]
        i = min(range(len(values)), key=values.__getitem__)
        lo, hi = samples[max(i - 1, 0)], samples[min(i + 1, 64)]
        best = minimize_scalar(f, bounds=(lo, hi), method="bounded", options={"xatol": 1e-6})
        return min(values[i], float(best.fun))

    def parts(geom):
        """Vertices and edges of a shapely geometry (lon/lat)."""
        vertices, edges = [], []
        if geom.geom_type == "Point":
            vertices.append(geom.coords[0])
        lines = []
        if geom.geom_type == "LineString":
            lines = [geom]
        elif geom.geom_type == "Polygon":
            lines = [geom.exterior, *geom.interiors]
        elif geom.geom_type == "MultiPolygon":
            for p in geom.geoms:
                lines += [p.exterior, *p.interiors]
        for line in lines:
            coords = list(line.coords)
            vertices += coords
            edges += list(zip(coords[:-1], coords[1:]))
        return vertices, edges

    def distance(footprint, radius, target):
        if footprint.intersects(target):
            return 0.0
        fv, fe = parts(footprint)
        tv, te = parts(target)
        best = math.inf
        for v in fv:
            for a, b in te:
                best = min(best, point_to_edge(v, a, b))
        for v in tv:
            for a, b in fe:
                best = min(best, point_to_edge(v, a, b))
        return max(best - radius, 0.0)

    canal = LineString(CANAL)
    expected = {"generator": "scripts/siting-reference.py", "method": "geographiclib WGS84 geodesics", "applications": {}}
    for name, a in applications.items():
        footprint = shape(a["footprint"])
        radius = a.get("radius_m", 0.0)
        # Zones as written (rounded) so both sides measure the same polygons.
        zone_distances = {}
        for index, feature in enumerate(features):
            if "zone" in feature["properties"]:
                zone_distances[str(index)] = distance(footprint, radius, shape(feature["geometry"]))
        expected["applications"][name] = {
            "distance_to_canal_m": distance(footprint, radius, canal),
            "zones": zone_distances,
        }
        print(f"{name:34} canal {expected['applications'][name]['distance_to_canal_m']:10.3f} m  zones "
              + ", ".join(f"{k}: {v:.3f}" for k, v in zone_distances.items()))

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "zones.geojson"), "w") as f:
        json.dump(zones, f)
        f.write("\n")
    for name, a in applications.items():
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(a, f, indent=2)
            f.write("\n")
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
