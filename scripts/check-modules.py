#!/usr/bin/env python3
"""Fails when the modules of a crate import each other in a circle.

    scripts/check-modules.py [CRATE_SRC_DIR...]     default: every crates/*/src

A module is a top-level file or directory under src/ (`view.rs`, `run/`). An edge A -> B is a
`crate::B` path anywhere in A's code outside its `#[cfg(test)] mod tests` block and comments.
Prints every circle found (its modules and the edges between them) and exits 1; prints one
summary line and exits 0 when there is none. docs/architecture.md says why the layers point one
way.
"""
import os
import re
import sys


def module_edges(src):
    edges = {}
    for dirpath, _, files in os.walk(src):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(dirpath, name)
            module = os.path.relpath(path, src)[: -len(".rs")].split(os.sep)[0]
            if module in ("lib", "main"):
                continue
            text = open(path, encoding="utf-8").read()
            cut = text.find("#[cfg(test)]\nmod tests")
            if cut >= 0:
                text = text[:cut]
            text = re.sub(r"//.*", "", text)
            deps = set(re.findall(r"crate::(\w+)", text))
            for group in re.findall(r"crate::\{([^}]*)\}", text, re.S):
                deps |= set(re.findall(r"(\w+)::", group))
            edges.setdefault(module, set()).update(deps - {module})
    return {m: {d for d in ds if d in edges} for m, ds in edges.items()}


def circles(graph):
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        component.append(top)
                        if top == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    dirs = sys.argv[1:] or sorted(
        os.path.join(root, "crates", c, "src")
        for c in os.listdir(os.path.join(root, "crates"))
        if os.path.isdir(os.path.join(root, "crates", c, "src"))
    )
    bad = 0
    modules = 0
    for src in dirs:
        if not os.path.isdir(src):
            print(f"error: {src} is not a directory", file=sys.stderr)
            return 2
        graph = module_edges(src)
        modules += len(graph)
        for component in circles(graph):
            bad += 1
            print(f"{os.path.relpath(src, root)}: modules import each other in a circle:")
            for m in component:
                print(f"  {m} -> {', '.join(sorted(graph[m] & set(component)))}")
    if bad:
        return 1
    print(f"no import circles among {modules} modules in {len(dirs)} crates")
    return 0


if __name__ == "__main__":
    sys.exit(main())
