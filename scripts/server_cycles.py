#!/usr/bin/env python3
"""Import cycles of the web server crate (crates/server/src).

Reads every `use crate::...`, `use super::...` and path written inline (`crate::web::error::ErrorBody`
in an attribute, `super::network::plant_nodes(..)`), resolves each to the file of the module it
names, and reports:
  * the dependencies between top-level folders (web, ledger, quality, ...; lib.rs and demo.rs
    count as their own), and any cycle among them;
  * every group of files that import each other in a circle (a strongly connected component)
    and spans more than one top-level folder.
Exits 1 when there is a cycle of either kind. Usage: scripts/server_cycles.py [SRC_DIR]
"""

import os
import re
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "crates", "server", "src")
SRC = os.path.normpath(SRC)


def module_files():
    """Module path (tuple of names, () for the crate root) to its file."""
    files = {}
    for folder, _, names in os.walk(SRC):
        for name in names:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(folder, name)
            parts = os.path.relpath(path, SRC)[:-3].split(os.sep)
            if parts == ["lib"]:
                parts = []
            elif parts[-1] == "mod":
                parts = parts[:-1]
            files[tuple(parts)] = path
    return files


FILES = module_files()
MODULE_OF = {path: module for module, path in FILES.items()}


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    # Line comments, but not `//` inside a string (good enough for this crate: none has `"//`
    # before a comment on the same line that matters for paths).
    out = []
    for line in text.split("\n"):
        in_string = False
        cut = len(line)
        i = 0
        while i < len(line) - 1:
            c = line[i]
            if c == "\\" and in_string:
                i += 2
                continue
            if c == '"':
                in_string = not in_string
            elif not in_string and line[i:i + 2] == "//":
                cut = i
                break
            i += 1
        out.append(line[:cut])
    return "\n".join(out)


def expand(tree):
    """The paths of a use tree: `a::{b, c::{d, self}}` gives a::b, a::c::d, a::c."""
    tree = re.sub(r"\s+as\s+\w+", "", tree)
    tree = re.sub(r"\s+", "", tree)
    depth = 0
    for i, c in enumerate(tree):
        if c == "{":
            if depth == 0:
                prefix = tree[:i]
                inner = tree[i + 1:tree.rindex("}")]
                items, start, level = [], 0, 0
                for j, d in enumerate(inner):
                    if d == "{":
                        level += 1
                    elif d == "}":
                        level -= 1
                    elif d == "," and level == 0:
                        items.append(inner[start:j])
                        start = j + 1
                items.append(inner[start:])
                paths = []
                for item in items:
                    if item:
                        paths.extend(prefix + p for p in expand(item))
                return paths
            depth += 1
    return [tree]


def resolve(current, path):
    """The module file a path names, from module `current` (the longest module prefix)."""
    parts = [p for p in path.split("::") if p]
    if not parts:
        return None
    if parts[0] == "crate":
        base, rest = (), parts[1:]
    elif parts[0] in ("super", "self"):
        base = current
        while parts and parts[0] in ("super", "self"):
            if parts[0] == "super":
                base = base[:-1]
            parts = parts[1:]
        rest = parts
    else:
        return None
    module = base
    for name in rest:
        if name == "self":
            continue
        if module + (name,) in FILES:
            module = module + (name,)
        else:
            break
    return FILES.get(module)


def imports(path):
    module = MODULE_OF[path]
    text = strip_comments(open(path, encoding="utf-8").read())
    # A file's unit tests (`#[cfg(test)] mod tests`, at its end) read the file itself.
    text = re.split(r"#\[cfg\(test\)\]\s*mod\s", text)[0]
    targets = set()
    for tree in re.findall(r"\buse\s+([^;]+);", text):
        for full in expand(tree):
            target = resolve(module, full)
            if target:
                targets.add(target)
            elif full.split("::")[0] and module + (full.split("::")[0],) in FILES:
                targets.add(resolve(module, "self::" + full))
    for full in re.findall(r"\b((?:crate|super)(?:::\w+)+)", text):
        target = resolve(module, full)
        if target:
            targets.add(target)
    # Paths relative to the module itself: `quality::routes()` in a parent, `use web::...`.
    for name in re.findall(r"(?<![:\w])(\w+)::", text):
        if module + (name,) in FILES:
            targets.add(FILES[module + (name,)])
    targets.discard(path)
    return targets


def top(path):
    """The top-level folder of a file (a file directly in src counts as its own)."""
    parts = os.path.relpath(path, SRC).split(os.sep)
    return parts[0] if len(parts) > 1 else parts[0]


def strongly_connected(graph):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            out.append(sorted(group))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    graph = {path: imports(path) for path in FILES.values()}
    rel = lambda p: os.path.relpath(p, SRC)
    folders = {}
    for source, targets in graph.items():
        for target in targets:
            if top(source) != top(target):
                folders.setdefault(top(source), set()).add(top(target))
    print(f"{len(graph)} files in {SRC}")
    print("dependencies between top-level folders:")
    for folder in sorted({top(p) for p in graph}):
        print(f"  {folder:<14} -> {', '.join(sorted(folders.get(folder, ()))) or '(nothing)'}")
    folder_cycles = [g for g in strongly_connected(folders) if len(g) > 1]
    file_cycles = [g for g in strongly_connected(graph)
                   if len(g) > 1 and len({top(p) for p in g}) > 1]
    for group in folder_cycles:
        print("CYCLE between folders: " + " <-> ".join(group))
    for group in file_cycles:
        print(f"CYCLE of {len(group)} files across folders: " + ", ".join(rel(p) for p in group))
    inner = [g for g in strongly_connected(graph) if len(g) > 1 and len({top(p) for p in g}) == 1]
    for group in inner:
        print(f"(within {top(group[0])}: {len(group)} files import each other: "
              + ", ".join(rel(p) for p in group) + ")")
    if not folder_cycles and not file_cycles:
        print("no cycle between files of different top-level folders")
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
