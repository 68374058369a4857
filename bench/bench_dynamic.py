"""Dynamic ideal points, 1946–2025 (`unvote ideal --dynamic`), beside the per-year fits it replaces.

Baseline: `unvote ideal --year Y` for every year that scales on its own (one static fit per year,
each on its own scale) — the cost of the ideal points one had before. Wall, CPU (user + system) and
peak RSS of one run each (a run takes about a minute); limits of issue 17: ≤ 120 s wall and
≤ 1.5 GB for 1946–2025 on 2 cores. CPU time is given too because the machine is often shared.
"""

from __future__ import annotations

import os
import subprocess
import sys

UNVOTE = [sys.executable, "-m", "unvote"]
LIMIT_SECONDS = 120.0
LIMIT_MB = 1536.0
TOO_SHORT = (1951, 1955, 1964)  # years with too few roll calls to scale alone (docs/ideal.md)


def timed(args: list[str], env: dict) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one run, from /usr/bin/time (output discarded)."""
    done = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", *args], env={**os.environ, **env},
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr[-500:]}")
    wall, user, system, kb = done.stderr.strip().splitlines()[-1].split()
    return float(wall), float(user) + float(system), float(kb) / 1024


def run(report, ctx) -> None:
    env = {"UNVOTE_DATA_DIR": str(ctx.ga_store()), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    ours = timed(UNVOTE + ["ideal", "--dynamic", "--format", "csv"], env)
    years = [a for y in range(1946, 2025) if y not in TOO_SHORT for a in ("--year", str(y))]
    base = timed(UNVOTE + ["ideal", *years, "--format", "csv"], env)
    report("ideal --dynamic 1946–2025 (wall)", ours[0], base[0], goal=f"limit ≤ {LIMIT_SECONDS:.0f} s",
           note="baseline: ideal --year for each year 1946–2024 that scales alone (static, 76 scales)")
    report("ideal --dynamic 1946–2025 (CPU)", ours[1], base[1], note="user + system")
    report("ideal --dynamic 1946–2025 peak RSS", ours[2], base[2], unit="MB", goal=f"limit ≤ {LIMIT_MB:.0f} MB")
    if ours[0] > LIMIT_SECONDS:
        report.failures.append(f"ideal --dynamic took {ours[0]:.1f} s (limit {LIMIT_SECONDS:.0f} s)")
    if ours[2] > LIMIT_MB:
        report.failures.append(f"ideal --dynamic peaked at {ours[2]:.0f} MB (limit {LIMIT_MB:.0f} MB)")
