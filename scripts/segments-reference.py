#!/usr/bin/env python3
"""Reference isolation segments from WNTR's valve_segments, for crates/scenarios' tests.

For each public network named below: a valve layer from WNTR's generate_valve_layer
('strategic', n, seed), then WNTR's segments. Writes tests/networks/segments/NAME.valves.csv
(valve,link,node) and NAME.segments.csv (kind,id,segment). Run through scripts/segments-reference.sh,
which makes the venv.
"""
import pathlib
import sys

import wntr

ROOT = pathlib.Path(__file__).resolve().parent.parent
NETWORKS = [("net3", 1, 7), ("ky10", 0, 11), ("net6", 2, 5)]


def main() -> int:
    out = ROOT / "tests" / "networks" / "segments"
    out.mkdir(parents=True, exist_ok=True)
    for name, n, seed in NETWORKS:
        wn = wntr.network.WaterNetworkModel(str(ROOT / "tests" / "networks" / "public" / f"{name}.inp"))
        layer = wntr.network.generate_valve_layer(wn, "strategic", n, seed=seed)
        node_segments, link_segments, _ = wntr.metrics.valve_segments(wn.to_graph(), layer)
        with open(out / f"{name}.valves.csv", "w") as f:
            f.write("valve,link,node\n")
            for index, row in layer.iterrows():
                f.write(f"V{index},{row['link']},{row['node']}\n")
        with open(out / f"{name}.segments.csv", "w") as f:
            f.write("kind,id,segment\n")
            for node, segment in node_segments.items():
                f.write(f"node,{node},{segment}\n")
            for link, segment in link_segments.items():
                f.write(f"link,{link},{segment}\n")
        print(f"{name}: {len(layer)} valves, {node_segments.max()} segments")
    return 0


if __name__ == "__main__":
    sys.exit(main())
