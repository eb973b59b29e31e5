#!/usr/bin/env python3
"""Fragments after a split: how far apart the flock's pieces are and how they drift.

Reads a trajectories file (`murmuration sim ... --trajectories t.csv.gz --every N`) and, for each
frame, links birds closer than LINK (single linkage, as the app's cluster measure does) and
reports the largest cluster, the second largest, and between those two: the gap (the distance
between their closest birds), the distance between their centres, the angle between their mean
headings, and the rate at which the gap changes. Positions use the minimum image when WRAP is
given as the world's size (a torus).

    scripts/fragments.py t.csv.gz --link 25 [--wrap 1200x800] [--min-size 20]

Prints one line per frame (t, sizes, gap, centre distance, heading difference). Python 3
standard library only.
"""

import argparse
import csv
import gzip
import math
import sys
from collections import defaultdict


def offset(a, b, size):
    """The offset from a to b, by the minimum image when size is given."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    if size:
        w, h = size
        dx -= w * round(dx / w)
        dy -= h * round(dy / h)
    return dx, dy


def clusters(points, link, size):
    """Single-linkage clusters of `points` (index lists), largest first."""
    cell = link
    grid = defaultdict(list)
    dims = (max(1, int(size[0] // cell)), max(1, int(size[1] // cell))) if size else None
    for i, (x, y) in enumerate(points):
        grid[(int(x // cell), int(y // cell))].append(i)
    parent = list(range(len(points)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    link2 = link * link
    for (cx, cy), members in grid.items():
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                key = (cx + dx, cy + dy)
                if dims:
                    key = (key[0] % dims[0], key[1] % dims[1])
                for i in members:
                    for j in grid.get(key, ()):
                        if j <= i:
                            continue
                        ox, oy = offset(points[i], points[j], size)
                        if ox * ox + oy * oy < link2:
                            a, b = find(i), find(j)
                            if a != b:
                                parent[a] = b
    groups = defaultdict(list)
    for i in range(len(points)):
        groups[find(i)].append(i)
    return sorted(groups.values(), key=len, reverse=True)


def centre(points, idx, size):
    """Centre of the points `idx` (around the first one, by minimum image)."""
    x0, y0 = points[idx[0]]
    sx = sy = 0.0
    for i in idx:
        ox, oy = offset((x0, y0), points[i], size)
        sx += ox
        sy += oy
    return x0 + sx / len(idx), y0 + sy / len(idx)


def heading(vels, idx):
    vx = sum(vels[i][0] for i in idx)
    vy = sum(vels[i][1] for i in idx)
    return math.atan2(vy, vx)


def gap(points, a, b, size, cell):
    """Distance between the closest birds of groups a and b."""
    grid = defaultdict(list)
    for j in b:
        grid[(int(points[j][0] // cell), int(points[j][1] // cell))].append(j)
    best = math.inf
    # exact by brute force over the smaller group's border would be cheaper; this is fine for
    # thousands of birds
    bl = [points[j] for j in b]
    for i in a:
        p = points[i]
        for q in bl:
            ox, oy = offset(p, q, size)
            d = ox * ox + oy * oy
            if d < best:
                best = d
    return math.sqrt(best)


def frames(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        rows = csv.DictReader(f)
        current, pts, vels = None, [], []
        for r in rows:
            if r["kind"] != "bird":
                continue
            t = float(r["t"])
            if current is not None and t != current:
                yield current, pts, vels
                pts, vels = [], []
            current = t
            pts.append((float(r["x"]), float(r["y"])))
            vels.append((float(r["vx"]), float(r["vy"])))
        if pts:
            yield current, pts, vels


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trajectories")
    ap.add_argument("--link", type=float, required=True, help="linking distance (the preset's link_distance)")
    ap.add_argument("--wrap", help="world size WxH when the world wraps")
    ap.add_argument("--min-size", type=int, default=20, help="ignore groups smaller than this")
    args = ap.parse_args()
    size = tuple(float(v) for v in args.wrap.split("x")) if args.wrap else None
    print("t,birds,largest,second,gap,centre_dist,heading_diff_deg")
    for t, pts, vels in frames(args.trajectories):
        groups = clusters(pts, args.link, size)
        big = [g for g in groups if len(g) >= args.min_size]
        if len(big) < 2:
            print(f"{t:.2f},{len(pts)},{len(groups[0]) if groups else 0},0,,,")
            continue
        a, b = big[0], big[1]
        ca, cb = centre(pts, a, size), centre(pts, b, size)
        ox, oy = offset(ca, cb, size)
        dh = math.degrees(heading(vels, b) - heading(vels, a))
        dh = (dh + 180) % 360 - 180
        g = gap(pts, a, b, size, args.link)
        print(f"{t:.2f},{len(pts)},{len(a)},{len(b)},{g:.1f},{math.hypot(ox, oy):.1f},{dh:.0f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
