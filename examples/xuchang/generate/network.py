#!/usr/bin/env python3
"""Writes the Xuchang demo system: the EPANET network (xuchang.inp), the asset register
(counties.csv, assets.csv) and the line and zone geometries (geometry.geojson).

Seeded and deterministic: the same files on every machine (Python 3 standard library only).
Run from anywhere: `python3 examples/xuchang/generate/network.py`. Published figures are kept as
published (4 outlets, 8 plants, about 150 km of lines, 366 wells, 21 offices and stations,
2.27 million people, 335 km^2); everything else (plant names beyond those public, capacities,
elevations, diameters, the split of people and area among plants) is illustrative, see README.md.
"""

import csv
import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
RNG = random.Random(20141214)  # the day water first reached Xuchang

WELLS_PUBLISHED = 366
LINES_TARGET_KM = 150.0
EARTH_RADIUS_M = 6_371_000.0

COUNTIES = [
    # code, name, name_zh, kind
    ("weidu", "Weidu District", "魏都区", "district"),
    ("jianan", "Jian'an District", "建安区", "district"),
    ("changge", "Changge", "长葛市", "county_city"),
    ("yuzhou", "Yuzhou", "禹州市", "county_city"),
    ("xiangcheng", "Xiangcheng County", "襄城县", "county"),
    ("yanling", "Yanling County", "鄢陵县", "county"),
]

# Diversion outlets on the main canal: code, number, name, name_zh, lon, lat, canal water level (m,
# illustrative), design flow m3/s (illustrative), county.
OUTLETS = [
    ("OUT15", 15, "Yanyao outlet", "宴窑分水口门", 113.382, 34.072, 124.6, 3.0, "yuzhou"),
    ("OUT16", 16, "Renpo outlet", "任坡分水口门", 113.407, 34.155, 124.1, 3.0, "yuzhou"),
    ("OUT17", 17, "Mengpo outlet", "孟坡分水口门", 113.548, 34.191, 123.4, 8.0, "jianan"),
    ("OUT18", 18, "Wali outlet", "洼李分水口门", 113.669, 34.267, 122.8, 2.5, "changge"),
]

# Water plants: code, name, name_zh, lon, lat, elevation m, county, capacity m3/d, people, km2,
# places served, base demand share of the typical day. People and area add up to the published
# 2.27 million and 335 km2; the split among plants is illustrative.
PLANTS = [
    ("P-ZHOUZHUANG", "Zhouzhuang plant", "周庄水厂", 113.800, 34.060, 72.0, "weidu", 200000, 850000, 110.0, "urban Xuchang"),
    ("P-XUCHANG-E", "Xuchang eastern plant (illustrative)", "许昌东区水厂(示意)", 113.880, 34.020, 70.0, "jianan", 100000, 350000, 60.0, "urban Xuchang (east)"),
    ("P-CHANGGE", "Changge plant (illustrative)", "长葛水厂(示意)", 113.770, 34.220, 88.0, "changge", 100000, 280000, 40.0, "Changge"),
    ("P-YUZHOU2", "Yuzhou No. 2 plant", "禹州第二水厂", 113.470, 34.160, 108.0, "yuzhou", 80000, 260000, 35.0, "Yuzhou"),
    ("P-YUZHOU3", "Yuzhou No. 3 plant", "禹州第三水厂", 113.500, 34.130, 104.0, "yuzhou", 50000, 150000, 25.0, "Yuzhou"),
    ("P-SHENHOU2", "Shenhou No. 2 plant", "神垕第二水厂", 113.220, 34.100, 178.0, "yuzhou", 15000, 50000, 8.0, "Shenhou town"),
    ("P-XIANGCHENG", "Xiangcheng plant (illustrative)", "襄城水厂(示意)", 113.480, 33.860, 82.0, "xiangcheng", 60000, 180000, 30.0, "Xiangcheng"),
    ("P-YANLING", "Yanling plant (illustrative)", "鄢陵水厂(示意)", 114.170, 34.100, 62.0, "yanling", 60000, 150000, 27.0, "Yanling"),
]

# Ecological releases: code, name, name_zh, lon, lat, elevation, county, fed from (outlet code or
# None for a drain gate on the canal itself), typical flow m3/s.
RELEASES = [
    ("REL-BALING", "Baling river release", "灞陵河生态补水口", 113.830, 34.040, 71.0, "weidu", "OUT17", 0.6),
    ("REL-YINGHE", "Yinghe drain gate (canal)", "颍河退水闸", 113.440, 34.185, None, "yuzhou", None, 0.0),
    ("REL-XIAOHONG", "Xiaohong river drain gate (canal)", "小洪河退水闸", 113.623, 34.258, None, "changge", None, 0.0),
]

# Lines: code, name, from (outlet or junction code), to (plant, release or junction code), material,
# diameter mm, extra waypoints. Junction codes name the points where a line splits.
SPLITS = {
    "X15": (113.395, 34.040, "yuzhou"),
    "X16": (113.455, 34.150, "yuzhou"),
    "X17": (113.780, 34.070, "jianan"),
}
LINES = [
    ("L15", "Yanyao trunk", "OUT15", "X15", "PCCP", 1400),
    ("L15-SH", "Shenhou branch", "X15", "P-SHENHOU2", "DI", 500),
    ("L15-XC", "Xiangcheng branch", "X15", "P-XIANGCHENG", "DI", 1000),
    ("L16", "Renpo trunk", "OUT16", "X16", "PCCP", 1400),
    ("L16-Y2", "Yuzhou No. 2 branch", "X16", "P-YUZHOU2", "DI", 1000),
    ("L16-Y3", "Yuzhou No. 3 branch", "X16", "P-YUZHOU3", "DI", 800),
    ("L17", "Mengpo trunk", "OUT17", "X17", "PCCP", 2000),
    ("L17-ZZ", "Zhouzhuang branch", "X17", "P-ZHOUZHUANG", "DI", 1400),
    ("L17-E", "Eastern plant branch", "X17", "P-XUCHANG-E", "DI", 1000),
    ("L17-BL", "Baling river branch", "X17", "REL-BALING", "DI", 800),
    ("L17-YL", "Yanling branch", "X17", "P-YANLING", "DI", 1200),
    ("L18", "Wali trunk", "OUT18", "P-CHANGGE", "PCCP", 1400),
]

# Shenhou sits in the hills: a pump station lifts its branch (illustrative).
PUMP_LINE = "L15-SH"

# Offices and stations: 21 in all, as published; names illustrative.
OFFICES = [
    ("OFF-XUCHANG", "office", "Xuchang supporting-works management office", "许昌配套工程管理处", 113.830, 34.030, "weidu"),
    ("OFF-YUZHOU", "office", "Yuzhou management office", "禹州管理所", 113.480, 34.150, "yuzhou"),
    ("OFF-CHANGGE", "office", "Changge management office", "长葛管理所", 113.770, 34.210, "changge"),
    ("OFF-XIANGCHENG", "office", "Xiangcheng management office", "襄城管理所", 113.490, 33.860, "xiangcheng"),
    ("OFF-YANLING", "office", "Yanling management office", "鄢陵管理所", 114.160, 34.100, "yanling"),
    ("OFF-JIANAN", "office", "Jian'an management office", "建安管理所", 113.760, 34.120, "jianan"),
    ("OFF-URBAN", "office", "Urban management office", "市区管理所", 113.850, 34.050, "weidu"),
]

# Lifted from the summary of a pipe: velocity far beyond design would show a mistake here.
DIURNAL = [0.72, 0.66, 0.63, 0.62, 0.66, 0.78, 0.98, 1.18, 1.25, 1.22, 1.16, 1.13,
           1.12, 1.08, 1.05, 1.04, 1.07, 1.16, 1.26, 1.28, 1.20, 1.06, 0.92, 0.79]


def metres(a, b):
    """Great-circle distance between two (lon, lat) points, m."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def main():
    points = {}
    for code, _n, _name, _zh, lon, lat, level, _flow, county in OUTLETS:
        points[code] = dict(lon=lon, lat=lat, elev=level - 8.0, county=county)
    for code, (lon, lat, county) in SPLITS.items():
        points[code] = dict(lon=lon, lat=lat, county=county)
    for p in PLANTS:
        points[p[0]] = dict(lon=p[3], lat=p[4], elev=p[5], county=p[6])
    for r in RELEASES:
        points[r[0]] = dict(lon=r[3], lat=r[4], elev=r[5], county=r[6])
    # Split points: ground a little below the straight line between neighbours.
    points["X15"]["elev"] = 112.0
    points["X16"]["elev"] = 110.0
    points["X17"]["elev"] = 76.0

    # Route lengths: straight distance times a winding factor chosen so the lines add up to the
    # published ~150 km.
    straight = {line[0]: metres((points[line[2]]["lon"], points[line[2]]["lat"]),
                                (points[line[3]]["lon"], points[line[3]]["lat"])) for line in LINES}
    winding = LINES_TARGET_KM * 1000.0 / sum(straight.values())
    lengths = {code: d * winding for code, d in straight.items()}

    # Wells: 366, one per ~400 m, shared among lines by length (largest remainder).
    total = sum(lengths.values())
    raw = {code: WELLS_PUBLISHED * lengths[code] / total for code in lengths}
    wells_per_line = {code: int(math.floor(v)) for code, v in raw.items()}
    left = WELLS_PUBLISHED - sum(wells_per_line.values())
    for code in sorted(raw, key=lambda c: raw[c] - wells_per_line[c], reverse=True)[:left]:
        wells_per_line[code] += 1

    junctions, pipes, valves, pumps, coords, demands, assets, features = [], [], [], [], [], [], [], []
    reservoirs = []
    for code, _n, name, _zh, lon, lat, level, _flow, _county in OUTLETS:
        reservoirs.append((f"R-{code}", level))
        coords.append((f"R-{code}", lon, lat))
    for code in SPLITS:
        junctions.append((code, points[code]["elev"], 0.0))
        coords.append((code, points[code]["lon"], points[code]["lat"]))

    well_rows = []
    well_number = 0
    valve_every = 6
    for code, name, start, end, material, diameter in LINES:
        a, b = points[start], points[end]
        n = wells_per_line[code]
        length = lengths[code]
        start_node = f"R-{start}" if start.startswith("OUT") else start
        ground_start = a["elev"]
        ground_end = b["elev"]
        phase1, phase2 = RNG.uniform(0, 2 * math.pi), RNG.uniform(0, 2 * math.pi)
        bend = RNG.uniform(-0.004, 0.004)  # degrees of sideways bow, for a line that is not straight
        is_pump_line = code == PUMP_LINE
        previous = start_node
        line_coords = [(a["lon"], a["lat"])]
        elevations = []
        stations = []
        for k in range(1, n + 1):
            s = k / (n + 1)
            lon = a["lon"] + (b["lon"] - a["lon"]) * s + bend * math.sin(math.pi * s) * (b["lat"] - a["lat"]) * 10
            lat = a["lat"] + (b["lat"] - a["lat"]) * s - bend * math.sin(math.pi * s) * (b["lon"] - a["lon"]) * 10
            # Ground: a gentle slope with two slow undulations (+-2.5 m), pipe crown 2 m below it.
            ground = ground_start + (ground_end - ground_start) * s
            ground += 1.5 * math.sin(2 * math.pi * 3 * s + phase1) * math.sin(math.pi * s)
            ground += 1.0 * math.sin(2 * math.pi * 7 * s + phase2) * math.sin(math.pi * s)
            elevations.append(ground - 2.0)
            stations.append((lon, lat))
        # Well types from the profile: high points get air valves, low points drains, every sixth
        # an isolation valve; the first is the meter well, the last the control-valve well.
        types = []
        for k in range(n):
            if k == 0 and start.startswith("OUT"):
                types.append("meter")
            elif k == n - 1 and end.startswith(("P-", "REL-")):
                types.append("control")
            elif 0 < k < n - 1 and elevations[k] > elevations[k - 1] and elevations[k] > elevations[k + 1]:
                types.append("air_valve")
            elif 0 < k < n - 1 and elevations[k] < elevations[k - 1] and elevations[k] < elevations[k + 1]:
                types.append("drain")
            elif k % valve_every == 3:
                types.append("valve")
            else:
                types.append("inspection")
        segment = length / (n + 1)
        pump_at = n // 8 if is_pump_line else None
        for k in range(n):
            well_number += 1
            wid = f"W{well_number:03d}"
            lon, lat = stations[k]
            elev = elevations[k]
            junctions.append((wid, round(elev, 2), 0.0))
            coords.append((wid, round(lon, 6), round(lat, 6)))
            line_coords.append((round(lon, 6), round(lat, 6)))
            pipes.append((f"{code}-{k + 1:02d}", previous, wid, round(segment, 1), diameter, material))
            epanet_id = wid
            node_after = wid
            if types[k] == "valve":
                # An isolation valve: a throttle valve fully open (setting 0), closable in a
                # scenario to isolate the segment.
                downstream = f"{wid}V"
                junctions.append((downstream, round(elev, 2), 0.0))
                coords.append((downstream, round(lon + 0.0002, 6), round(lat, 6)))
                valves.append((f"V-{wid}", wid, downstream, diameter, "TCV", 0.0))
                epanet_id = f"V-{wid}"
                node_after = downstream
            if pump_at is not None and k == pump_at:
                discharge = f"{wid}P"
                junctions.append((discharge, round(elev, 2), 0.0))
                coords.append((discharge, round(lon + 0.0002, 6), round(lat, 6)))
                pumps.append(("PS-SHENHOU", node_after, discharge, "PC-SHENHOU"))
                node_after = discharge
            well_rows.append((wid, types[k], epanet_id, lon, lat, code, points[start]["county"] if s < 0.5 else points[end]["county"]))
            previous = node_after
        # The line's last segment reaches its end node; plants and releases sit behind a control valve.
        if end.startswith(("P-", "REL-")):
            inlet = f"{end}-IN"
            junctions.append((inlet, round(b["elev"] + 1.0, 2), 0.0))
            coords.append((inlet, round(b["lon"] - 0.0005, 6), round(b["lat"], 6)))
            pipes.append((f"{code}-{n + 1:02d}", previous, inlet, round(segment, 1), diameter, material))
            previous = inlet
        else:
            pipes.append((f"{code}-{n + 1:02d}", previous, end, round(segment, 1), diameter, material))
        line_coords.append((b["lon"], b["lat"]))
        features.append(dict(type="Feature", properties=dict(code=code, name=name),
                             geometry=dict(type="LineString", coordinates=line_coords)))
        assets.append(dict(code=code, kind="pipeline", name=name, fed_from=start if start.startswith("OUT") else "",
                           length_m=round(length, 1), diameter_mm=diameter, material=material,
                           county=points[start]["county"]))
        for wid, wtype, epanet_id, lon, lat, line_code, county in well_rows[-n:]:
            assets.append(dict(code=f"WELL-{wid}", kind="well", name=f"{wtype.replace('_', ' ')} well {wid} on {line_code}",
                               epanet_id=epanet_id, longitude=round(lon, 6), latitude=round(lat, 6), well_type=wtype,
                               fed_from=line_code, county=county))

    # Plants and releases: demand junctions behind their inlet valves.
    typical_day_m3 = {p[0]: p[7] * 0.55 for p in PLANTS}
    for p in PLANTS:
        code, elev = p[0], p[5]
        base_lps = typical_day_m3[code] / 86.4
        junctions.append((code, elev, round(base_lps, 1)))
        demands.append(code)
        coords.append((code, p[3], p[4]))
    for r in RELEASES:
        if r[7] is None:
            continue
        junctions.append((r[0], r[5], round(r[8] * 1000.0, 1)))
        coords.append((r[0], r[3], r[4]))

    # Control valves at plant inlets: pressure-reducing valves holding the inlet at 12 m (5 m
    # where the canal stands little above the plant); the Baling release is flow-controlled at
    # its set release.
    for p in PLANTS:
        code, elev = p[0], p[5]
        outlet = next(line[2] for line in LINES if line[3] == code)
        while not outlet.startswith("OUT"):
            outlet = next(line[2] for line in LINES if line[3] == outlet)
        level = next(o[6] for o in OUTLETS if o[0] == outlet)
        diameter = next(line[5] for line in LINES if line[3] == code)
        setting = 12.0 if code == "P-SHENHOU2" or level - elev > 25.0 else 5.0
        valves.append((f"PRV-{code[2:]}", f"{code}-IN", code, diameter, "PRV", setting))
    valves.append(("FCV-BALING", "REL-BALING-IN", "REL-BALING", 800, "FCV", RELEASES[0][8] * 1000.0))
    # The control wells name their valve.
    control_valve = {}
    for v in valves:
        if v[4] in ("PRV", "FCV"):
            control_valve[v[1]] = v[0]

    write_inp(junctions, reservoirs, pipes, pumps, valves, coords, demands)

    # Offices and stations: 7 offices above, and 14 stations: one per outlet, one per plant, the
    # Shenhou pump station and an emergency-repair depot (21 in all).
    stations = []
    for code, _n, name, zh, lon, lat, _level, _flow, county in OUTLETS:
        stations.append((f"ST-{code}", "station", f"{name} station", zh.replace("分水口门", "现地管理站"), lon + 0.002, lat + 0.002, county))
    for p in PLANTS[:7]:
        stations.append((f"ST-{p[0][2:]}", "station", f"{p[1].replace(' (illustrative)', '')} inlet station", None, p[3] - 0.003, p[4], p[6]))
    stations.append(("ST-PS-SHENHOU", "station", "Shenhou pump station", "神垕加压泵站", None, None, "yuzhou"))
    stations.append(("ST-DEPOT", "station", "Emergency repair depot", "应急抢修站", 113.820, 34.050, "weidu"))
    stations.append(("ST-MONITOR", "station", "Dispatch and monitoring centre", "调度监控中心", 113.835, 34.032, "weidu"))
    offices = OFFICES + stations
    assert len(offices) == 21, len(offices)

    rows = []
    for code, kind, name, zh, lon, lat, county in offices:
        rows.append(dict(code=code, kind=kind, name=name, name_zh=zh or "", county=county,
                         longitude=lon if lon is not None else "", latitude=lat if lat is not None else "",
                         looked_after_by="" if code == "OFF-XUCHANG" else "OFF-XUCHANG"))
    for code, n, name, zh, lon, lat, level, flow, county in OUTLETS:
        rows.append(dict(code=code, kind="outlet", name=f"No. {n} {name}", name_zh=zh, county=county,
                         epanet_id=f"R-{code}", longitude=lon, latitude=lat, design_flow_m3s=flow,
                         looked_after_by=f"ST-{code}"))
    for p in PLANTS:
        code = p[0]
        station = f"ST-{code[2:]}"
        rows.append(dict(code=code, kind="plant", name=p[1], name_zh=p[2], county=p[6], epanet_id=code,
                         longitude=p[3], latitude=p[4], capacity_m3_per_day=p[7], people_served=p[8],
                         area_km2=p[9], places_served=p[10],
                         looked_after_by=station if any(s[0] == station for s in stations) else "OFF-XIANGCHENG",
                         fed_from=next(line[0] for line in LINES if line[3] == code)))
    for r in RELEASES:
        rows.append(dict(code=r[0], kind="release", name=r[1], name_zh=r[2], county=r[6],
                         epanet_id=r[0] if r[7] else "", longitude=r[3], latitude=r[4],
                         design_flow_m3s=r[8] or "", looked_after_by="OFF-URBAN" if r[7] else "OFF-XUCHANG",
                         fed_from="L17-BL" if r[7] else ""))
    # Lines and wells: looked after by the nearest office.
    office_points = [(o[0], o[4], o[5]) for o in OFFICES]
    for asset in assets:
        if asset["kind"] == "well":
            lon, lat = asset["longitude"], asset["latitude"]
        else:
            line = next(line for line in LINES if line[0] == asset["code"])
            mid_a, mid_b = points[line[2]], points[line[3]]
            lon, lat = (mid_a["lon"] + mid_b["lon"]) / 2, (mid_a["lat"] + mid_b["lat"]) / 2
        asset["looked_after_by"] = min(office_points, key=lambda o: metres((lon, lat), (o[1], o[2])))[0]
        if asset["kind"] == "well" and asset["well_type"] == "control":
            node = asset["epanet_id"]
            inlet_valve = next((v for k, v in control_valve.items() if k.startswith(asset["fed_from"])), None)
            del node, inlet_valve
    # A control well names the inlet valve it houses.
    for asset in assets:
        if asset["kind"] == "well" and asset["well_type"] == "control":
            line = next(line for line in LINES if line[0] == asset["fed_from"])
            asset["epanet_id"] = control_valve.get(f"{line[3]}-IN", asset["epanet_id"])
    rows.extend(assets)
    # Monitoring sites: source water at each outlet, raw water at each plant intake.
    for code, _n, name, zh, lon, lat, _level, _flow, county in OUTLETS:
        rows.append(dict(code=f"MS-{code}", kind="site", name=f"{name} water-quality site", county=county,
                         longitude=round(lon + 0.001, 6), latitude=lat, epanet_id=f"R-{code}", looked_after_by=f"ST-{code}"))
    for p in PLANTS:
        rows.append(dict(code=f"MS-{p[0][2:]}", kind="site", name=f"{p[1].replace(' (illustrative)', '')} intake site",
                         county=p[6], longitude=round(p[3] - 0.001, 6), latitude=p[4], epanet_id=f"{p[0]}-IN",
                         looked_after_by="OFF-XUCHANG"))
    # Protection zones along the canal.
    canal = [(113.312, 34.051), (113.382, 34.072), (113.407, 34.155), (113.440, 34.185),
             (113.548, 34.191), (113.623, 34.258), (113.669, 34.267)]
    first = band(canal, 50.0)
    # The second-class zone surrounds the first on every side, ends included, so that the first
    # is a hole wholly inside it (a hole touching its shell along a line is not a valid polygon).
    second = band(extended(canal, 1000.0), 1000.0)
    rows.append(dict(code="ZONE-1", kind="zone", name="First-class protection zone, Xuchang section", zone_class="first",
                     looked_after_by="OFF-XUCHANG"))
    rows.append(dict(code="ZONE-2", kind="zone", name="Second-class protection zone, Xuchang section", zone_class="second",
                     looked_after_by="OFF-XUCHANG"))
    features.append(dict(type="Feature", properties=dict(code="ZONE-1"), geometry=dict(type="Polygon", coordinates=[first])))
    features.append(dict(type="Feature", properties=dict(code="ZONE-2"),
                         geometry=dict(type="Polygon", coordinates=[second, list(reversed(first))])))

    columns = ["code", "kind", "name", "name_zh", "county", "epanet_id", "longitude", "latitude",
               "looked_after_by", "fed_from", "length_m", "diameter_mm", "material", "design_flow_m3s",
               "well_type", "capacity_m3_per_day", "places_served", "people_served", "area_km2", "zone_class"]
    # Rows in an order whose references point backwards (offices first), for readers of the file.
    with open(os.path.join(OUT, "assets.csv"), "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    with open(os.path.join(OUT, "counties.csv"), "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "name", "name_zh", "kind"])
        writer.writerows(COUNTIES)
    with open(os.path.join(OUT, "geometry.geojson"), "w", encoding="utf-8") as f:
        json.dump(dict(type="FeatureCollection", features=features), f, ensure_ascii=False, indent=1)
        f.write("\n")
    kinds = {}
    for row in rows:
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
    print(f"lines {sum(lengths.values()) / 1000:.1f} km, assets {kinds}, "
          f"people {sum(p[8] for p in PLANTS)}, area {sum(p[9] for p in PLANTS)} km2")


def extended(line, metres):
    """The polyline lengthened by `metres` straight on at each end (flat-earth offsets)."""
    lat0 = math.radians(sum(p[1] for p in line) / len(line))
    kx = 111_320.0 * math.cos(lat0)
    ky = 110_540.0

    def beyond(end, before):
        dx, dy = (end[0] - before[0]) * kx, (end[1] - before[1]) * ky
        norm = math.hypot(dx, dy)
        return (end[0] + dx / norm * metres / kx, end[1] + dy / norm * metres / ky)

    return [beyond(line[0], line[1])] + list(line) + [beyond(line[-1], line[-2])]


def band(line, half_width_m):
    """A closed polygon ring around a polyline, half_width_m to each side (flat-earth offsets)."""
    lat0 = math.radians(sum(p[1] for p in line) / len(line))
    kx = 111_320.0 * math.cos(lat0)
    ky = 110_540.0
    left, right = [], []
    for i, (lon, lat) in enumerate(line):
        a = line[max(i - 1, 0)]
        b = line[min(i + 1, len(line) - 1)]
        dx, dy = (b[0] - a[0]) * kx, (b[1] - a[1]) * ky
        norm = math.hypot(dx, dy)
        nx, ny = -dy / norm, dx / norm
        left.append((round(lon + nx * half_width_m / kx, 6), round(lat + ny * half_width_m / ky, 6)))
        right.append((round(lon - nx * half_width_m / kx, 6), round(lat - ny * half_width_m / ky, 6)))
    ring = left + list(reversed(right))
    ring.append(ring[0])
    return [list(p) for p in ring]


def write_inp(junctions, reservoirs, pipes, pumps, valves, coords, demands):
    hw = {"PCCP": 120, "DI": 130}
    with open(os.path.join(OUT, "xuchang.inp"), "w", encoding="utf-8") as f:
        f.write("[TITLE]\nXuchang supporting works of the South-to-North Water Diversion (Danjiang demo, illustrative)\n")
        f.write("Generated by examples/xuchang/generate/network.py; see examples/xuchang/README.md\n\n")
        f.write("[JUNCTIONS]\n;ID              Elev        Demand      Pattern\n")
        demand_set = set(demands)
        for jid, elev, demand in junctions:
            pattern = "DIURNAL" if jid in demand_set else ("ECO" if demand > 0 else "")
            f.write(f" {jid:<16} {elev:<11} {demand:<11} {pattern}\n")
        f.write("\n[RESERVOIRS]\n;ID              Head\n")
        for rid, head in reservoirs:
            f.write(f" {rid:<16} {head}\n")
        f.write("\n[TANKS]\n\n[PIPES]\n;ID              Node1            Node2            Length      Diameter    Roughness   MinorLoss   Status\n")
        for pid, a, b, length, diameter, material in pipes:
            f.write(f" {pid:<16} {a:<16} {b:<16} {length:<11} {diameter:<11} {hw[material]:<11} 0           Open\n")
        f.write("\n[PUMPS]\n;ID              Node1            Node2            Parameters\n")
        for pid, a, b, curve in pumps:
            f.write(f" {pid:<16} {a:<16} {b:<16} HEAD {curve}\n")
        f.write("\n[VALVES]\n;ID              Node1            Node2            Diameter    Type  Setting     MinorLoss\n")
        for vid, a, b, diameter, vtype, setting in valves:
            f.write(f" {vid:<16} {a:<16} {b:<16} {diameter:<11} {vtype:<5} {setting:<11} 0\n")
        f.write("\n[PATTERNS]\n;ID              Multipliers\n")
        for i in range(0, 24, 6):
            f.write(f" DIURNAL          {'  '.join(f'{m:.2f}' for m in DIURNAL[i:i + 6])}\n")
        f.write(" ECO              1.0\n")
        f.write("\n[CURVES]\n;ID              X-Value     Y-Value\n;PUMP: Shenhou lift, one design point (L/s, m)\n")
        f.write(" PC-SHENHOU       130         70\n")
        f.write("\n[ENERGY]\n Global Efficiency 75\n Global Price 0\n Demand Charge 0\n")
        f.write("\n[TIMES]\n Duration           24:00\n Hydraulic Timestep 1:00\n Quality Timestep   0:05\n"
                " Pattern Timestep   1:00\n Pattern Start      0:00\n Report Timestep    1:00\n Report Start       0:00\n"
                " Start ClockTime    12 am\n Statistic          NONE\n")
        f.write("\n[REPORT]\n Status No\n Summary No\n Page 0\n")
        f.write("\n[OPTIONS]\n Units              LPS\n Headloss           H-W\n Specific Gravity   1.0\n Viscosity          1.0\n"
                " Trials             100\n Accuracy           0.001\n Unbalanced         Continue 10\n Pattern            1\n"
                " Demand Multiplier  1.0\n Quality            Age\n Diffusivity        1.0\n Tolerance          0.01\n")
        f.write("\n[COORDINATES]\n;Node             X-Coord (lon)   Y-Coord (lat)\n")
        for nid, lon, lat in coords:
            f.write(f" {nid:<16} {lon:<15} {lat}\n")
        f.write("\n[END]\n")


if __name__ == "__main__":
    main()
