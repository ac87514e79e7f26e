#!/usr/bin/env python3
"""Compare suitkit's delta patches with bsdiff, xdelta3 and zstd --patch-from.

For every firmware pair (a directory holding `old` and `new`) this diffs and
applies with each tool, checks every result byte for byte against `new`,
and measures wall time and peak RSS (GNU `/usr/bin/time -v`, median of N
runs). It prints a Markdown table (paste it into BENCHMARKS.md), the goal
checks of issues 4 and 13, and what each instruction-set transform of format
version 2 gains per pair (patch sizes with `--transforms none`, with each
instruction set alone, and with all; every patch applied and compared).

This is a benchmark, not a test: it takes minutes (bsdiff needs ~30 s per
run on the 24 MB libjvm pair) and CI must not run it.

Usage (from the repository root):
    python3 bench/compare.py [--runs N] [--firmware DIR] [--work DIR]
                             [--pairs a,b] [--markdown FILE] [--suitkit BIN]

Needs: go (to build the CLI unless --suitkit is given), bsdiff, bspatch,
xdelta3, zstd and GNU time (`apt-get install bsdiff xdelta3 zstd time`).
"""
import argparse
import filecmp
import json
import math
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIB = 1 << 20


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement; the median is reported (default 3)")
    ap.add_argument("--firmware", default=os.path.join(REPO, "..", "shared", "bench", "firmware"),
                    help="directory of pairs, each a folder with old and new (default ../shared/bench/firmware)")
    ap.add_argument("--work", default=os.path.join(REPO, "bench", "out"), help="scratch directory (default bench/out)")
    ap.add_argument("--pairs", default="", help="comma-separated pair names to run (default: all)")
    ap.add_argument("--markdown", default="", help="also write the Markdown report to this file")
    ap.add_argument("--suitkit", default="", help="use this suitkit binary instead of building ./cmd/suitkit")
    ap.add_argument("--no-transform-gains", action="store_true",
                    help="skip the per-transform patch sizes (6 more diffs per pair)")
    a = ap.parse_args()
    if a.runs < 1:
        ap.error("--runs must be at least 1")
    return a


def measure(cmd, timefile):
    """Run cmd under /usr/bin/time -v; return (wall s, peak RSS bytes, user+sys CPU s)."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", "-o", timefile] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (shlex.join(cmd), p.returncode, p.stderr.decode(errors="replace")[-400:]))
    with open(timefile) as f:
        text = f.read()
    field = lambda name: re.search(re.escape(name) + r":\s*([0-9.]+)", text)
    rss, user, sys_ = field("Maximum resident set size (kbytes)"), field("User time (seconds)"), field("System time (seconds)")
    if not (rss and user and sys_):
        raise RuntimeError("unexpected /usr/bin/time output for " + shlex.join(cmd))
    return wall, int(rss.group(1)) * 1024, float(user.group(1)) + float(sys_.group(1))


def median_of(cmd, runs, timefile):
    rs = [measure(cmd, timefile) for _ in range(runs)]
    return tuple(statistics.median(r[i] for r in rs) for i in range(3))


def tools(sk, old, new, w):
    """(name, diff command, apply command, patch path, output path) per tool."""
    P = lambda f: os.path.join(w, f)
    return [
        ("suitkit", [sk, "diff", old, new, P("p.sk")], [sk, "patch", old, P("p.sk"), P("o.sk")], P("p.sk"), P("o.sk")),
        ("suitkit --fast (zstd only)", [sk, "diff", "--fast", old, new, P("p.skf")],
         [sk, "patch", old, P("p.skf"), P("o.skf")], P("p.skf"), P("o.skf")),
        ("suitkit --format bsdiff40", [sk, "diff", "--format", "bsdiff40", old, new, P("p.sk40")],
         [sk, "patch", old, P("p.sk40"), P("o.sk40")], P("p.sk40"), P("o.sk40")),
        ("bsdiff", ["bsdiff", old, new, P("p.bsdiff")], ["bspatch", old, P("o.bsdiff"), P("p.bsdiff")], P("p.bsdiff"), P("o.bsdiff")),
        ("xdelta3 -9", ["xdelta3", "-e", "-9", "-f", "-s", old, new, P("p.xd3")],
         ["xdelta3", "-d", "-f", "-s", old, P("p.xd3"), P("o.xd3")], P("p.xd3"), P("o.xd3")),
        ("zstd --patch-from -19", ["zstd", "-q", "-f", "--patch-from=" + old, "-19", "--long=27", new, "-o", P("p.zst")],
         ["zstd", "-q", "-f", "-d", "--patch-from=" + old, "--long=27", P("p.zst"), "-o", P("o.zst")], P("p.zst"), P("o.zst")),
    ]


PEERS = ("bsdiff", "xdelta3 -9", "zstd --patch-from -19")

# Instruction sets of `suitkit diff --transforms` (format version 2).
ISAS = ("thumb2", "arm32", "aarch64", "x86-64", "xtensa")

# HDiffPatch 4.12 lzma2 patch sizes from ../shared/bench/BASELINES.md
# (section "HDiffPatch 4.12.0"; not installable here, so quoted as facts).
HDIFFPATCH_LZMA2 = {
    "mcu-programmer-cm4": 1349,
    "micropython-pybv11-cm4": 35641,
    "micropython-esp8266": 66791,
    "libpython37-aarch64": 94329,
    "openjdk17-libjvm-amd64": 798485,
}


def transform_sizes(sk, old, new, w):
    """Patch size with --transforms none, each instruction set alone and all
    (each patch applied and compared with new); returns {setting: bytes}."""
    sizes = {}
    for t in ("none",) + ISAS + ("all",):
        p, o = os.path.join(w, "p.t"), os.path.join(w, "o.t")
        subprocess.run([sk, "diff", "--transforms", t, old, new, p], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sk, "patch", old, p, o], check=True, stdout=subprocess.DEVNULL)
        if not filecmp.cmp(o, new, shallow=False):
            raise RuntimeError("--transforms %s: output differs from new" % t)
        sizes[t] = os.path.getsize(p)
        print("%-24s --transforms %-8s %10d B" % (os.path.basename(w), t, sizes[t]), file=sys.stderr, flush=True)
    return sizes


def run_all(a, sk):
    names = sorted(d for d in os.listdir(a.firmware) if os.path.isdir(os.path.join(a.firmware, d)))
    if a.pairs:
        want = set(a.pairs.split(","))
        missing = want - set(names)
        if missing:
            sys.exit("unknown pairs: " + ", ".join(sorted(missing)))
        names = [n for n in names if n in want]
    timefile = os.path.join(a.work, "time.txt")
    results = {}
    for name in names:
        old = os.path.join(a.firmware, name, "old")
        new = os.path.join(a.firmware, name, "new")
        w = os.path.join(a.work, name)
        os.makedirs(w, exist_ok=True)
        r = {"old": os.path.getsize(old), "new": os.path.getsize(new), "tools": {}}
        for tname, dcmd, acmd, patch, out in tools(sk, old, new, w):
            dw, drss, dcpu = median_of(dcmd, a.runs, timefile)
            aw, arss, acpu = median_of(acmd, a.runs, timefile)
            ok = filecmp.cmp(out, new, shallow=False)
            r["tools"][tname] = {"patch": os.path.getsize(patch), "diff_wall": dw, "diff_rss": drss, "diff_cpu": dcpu,
                                 "apply_wall": aw, "apply_rss": arss, "apply_cpu": acpu, "ok": ok}
            print("%-24s %-26s %10d B  diff %7.2f s %7.1f MiB  apply %6.2f s %6.1f MiB  %s" % (
                name, tname, os.path.getsize(patch), dw, drss / MIB, aw, arss / MIB, "OK" if ok else "MISMATCH"),
                file=sys.stderr, flush=True)
        if not a.no_transform_gains:
            r["transforms"] = transform_sizes(sk, old, new, w)
        results[name] = r
    return results


def markdown(a, results, command):
    L = []
    L.append("Command: `%s`  " % command)
    L.append("Runs per measurement: %d (median). Wall time: Python `perf_counter` around each process; "
             "CPU = user+sys and peak RSS = \"Maximum resident set size\" from `/usr/bin/time -v`. "
             "Every patch was applied and the output compared byte for byte with `new`." % a.runs)
    L.append("")
    L.append("| pair | old → new (bytes) | tool | patch bytes | % of new | vs bsdiff | diff wall s | diff CPU s | diff peak RSS MiB | apply wall s | apply CPU s | apply peak RSS MiB | byte-exact |")
    L.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|")
    for name, r in results.items():
        bs = r["tools"].get("bsdiff", {}).get("patch")
        best = min(r["tools"][t]["patch"] for t in r["tools"])
        first = True
        for tname, t in r["tools"].items():
            size = "{:,}".format(t["patch"])
            if t["patch"] == best:
                size = "**" + size + "**"
            L.append("| %s | %s | %s | %s | %.2f%% | %s | %.2f | %.2f | %.1f | %.2f | %.2f | %.1f | %s |" % (
                name if first else "", "{:,} → {:,}".format(r["old"], r["new"]) if first else "", tname, size,
                100.0 * t["patch"] / max(r["new"], 1), ("%.2f×" % (t["patch"] / bs)) if bs else "–",
                t["diff_wall"], t["diff_cpu"], t["diff_rss"] / MIB, t["apply_wall"], t["apply_cpu"], t["apply_rss"] / MIB,
                "yes" if t["ok"] else "**NO**"))
            first = False
    L.append("")
    tr = {n: r["transforms"] for n, r in results.items() if "transforms" in r}
    if tr:
        L.append("Patch bytes by transform setting (`suitkit diff --transforms X`; gain against `none`, "
                 "which is format version 1):")
        L.append("")
        L.append("| pair | none | " + " | ".join(ISAS) + " | all |")
        L.append("|---|---:|" + "---:|" * (len(ISAS) + 1))
        for n, t in tr.items():
            cells = ["{:,}".format(t["none"])]
            for k in ISAS + ("all",):
                cells.append("{:,} ({:+.1f}%)".format(t[k], 100.0 * (t[k] - t["none"]) / t["none"]))
            L.append("| %s | %s |" % (n, " | ".join(cells)))
        L.append("")
    L.extend(goals(results))
    return "\n".join(L) + "\n"


def goals(results):
    L = ["Goal checks (issue 4):", ""]
    mark = lambda ok: "met" if ok else "**not met**"
    allok = all(t["ok"] for r in results.values() for t in r["tools"].values())
    L.append("- every patch applied byte-exact: %s" % mark(allok))
    sizes_ok, ratios, per = True, [], []
    for name, r in results.items():
        t = r["tools"]
        if "suitkit" not in t:
            continue
        peers = [(t[p]["patch"], p) for p in PEERS if p in t]
        if peers:
            bp, bn = min(peers)
            ok = t["suitkit"]["patch"] <= bp
            sizes_ok &= ok
            per.append("%s %s vs %s %s (%.2f×)" % (name, "{:,}".format(t["suitkit"]["patch"]), bn, "{:,}".format(bp),
                                                  t["suitkit"]["patch"] / bp))
        if "bsdiff" in t:
            ratios.append(t["suitkit"]["patch"] / t["bsdiff"]["patch"])
    L.append("- suitkit patch ≤ smallest peer patch on every pair: %s — %s" % (mark(sizes_ok), "; ".join(per)))
    if ratios:
        g = math.exp(sum(math.log(x) for x in ratios) / len(ratios))
        L.append("- geometric mean of suitkit/bsdiff ≤ 0.80 over %d pairs (issue 4): %s — %.3f" % (len(ratios), mark(g <= 0.80), g))
        L.append("- geometric mean of suitkit/bsdiff ≤ 0.65 over %d pairs (issue 13): %s — %.3f" % (len(ratios), mark(g <= 0.65), g))
    hd = []
    hd_ok = True
    for name, r in results.items():
        if "suitkit" in r["tools"] and name in HDIFFPATCH_LZMA2:
            q = r["tools"]["suitkit"]["patch"] / HDIFFPATCH_LZMA2[name]
            hd_ok &= q <= 0.90
            hd.append("%s %.3f×" % (name, q))
    if hd:
        L.append("- suitkit ≤ 0.90× HDiffPatch lzma2 (BASELINES.md) on every pair (issue 13): %s — %s" % (mark(hd_ok), "; ".join(hd)))
    j = results.get("openjdk17-libjvm-amd64")
    if j and "suitkit" in j["tools"] and "bsdiff" in j["tools"]:
        s, b = j["tools"]["suitkit"], j["tools"]["bsdiff"]
        q = s["diff_wall"] / b["diff_wall"]
        L.append("- libjvm diff wall ≤ 0.25× bsdiff: %s — %.2f s vs %.2f s = %.2f× (CPU: %.2f s vs %.2f s = %.2f×)" % (
            mark(q <= 0.25), s["diff_wall"], b["diff_wall"], q, s["diff_cpu"], b["diff_cpu"], s["diff_cpu"] / max(b["diff_cpu"], 1e-9)))
        q = s["diff_rss"] / j["old"]
        L.append("- libjvm diff peak RSS ≤ 6× old (%.1f MiB): %s — %.1f MiB = %.2f× old" % (
            6 * j["old"] / MIB, mark(q <= 6), s["diff_rss"] / MIB, q))
        L.append("- libjvm apply peak RSS ≤ 16 MiB: %s — %.1f MiB" % (mark(s["apply_rss"] <= 16 * MIB), s["apply_rss"] / MIB))
        L.append("- libjvm apply wall ≤ bspatch: %s — %.2f s vs %.2f s (CPU: %.2f s vs %.2f s)" % (
            mark(s["apply_wall"] <= b["apply_wall"]), s["apply_wall"], b["apply_wall"], s["apply_cpu"], b["apply_cpu"]))
    else:
        L.append("- libjvm time/memory goals: pair not run")
    per = ["%s %.2f vs %.2f s" % (n, r["tools"]["suitkit"]["apply_wall"], r["tools"]["bsdiff"]["apply_wall"])
           for n, r in results.items() if "suitkit" in r["tools"] and "bsdiff" in r["tools"]]
    L.append("- (information) suitkit apply vs bspatch wall time per pair (GNU time resolution is 10 ms; "
             "sub-0.05 s differences are noise): %s" % "; ".join(per))
    return L


def main():
    a = parse_args()
    command = "python3 bench/compare.py " + shlex.join(sys.argv[1:])
    os.makedirs(a.work, exist_ok=True)
    sk = a.suitkit
    if not sk:
        sk = os.path.join(a.work, "suitkit")
        print("building", sk, file=sys.stderr, flush=True)
        subprocess.run(["go", "build", "-o", sk, "./cmd/suitkit"], cwd=REPO, check=True)
    sk = os.path.abspath(sk)
    results = run_all(a, sk)
    with open(os.path.join(a.work, "results.json"), "w") as f:
        json.dump({"runs": a.runs, "command": command, "pairs": results}, f, indent=1)
    md = markdown(a, results, command)
    print(md)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(md)
    bad = [n for n, r in results.items() for t in r["tools"].values() if not t["ok"]]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
