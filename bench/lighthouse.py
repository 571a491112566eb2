"""Lighthouse (mobile, default simulated throttling) on the pages a resident lands on first.

Builds the same demo site as ``bench.pages`` in a temporary directory, serves it with gunicorn
(2 workers, production settings, hashed and precompressed static files) and runs Lighthouse
from node_modules against Debian's Chromium, offline, on the home page, a search results page,
a listing, a guidance page with video and the sign-in page. Prints each category's score and,
for any below target, the audits that cost it.

    python -m bench.lighthouse [--runs 1] [--keep]

Needs `make node` (Lighthouse is an npm dev dependency) and Chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.pages import ROOT, Gunicorn, _environment, prepare

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}
PAGES = ("home", "search page", "listing", "guidance", "sign-in")
FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
         "--disable-component-update --disable-sync --no-first-run --disable-quic")


def lighthouse(url: str, output: Path) -> dict[str, object]:
    subprocess.run(
        [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={output}",
         f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={FLAGS}"],
        env={**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")},
        check=True, timeout=240)
    report: dict[str, object] = json.loads(output.read_text())
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lighthouse", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per page (the median is shown)")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.exists():
        print("Lighthouse is missing: run `make node`", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="bench-lighthouse-"))
    try:
        print(f"Lighthouse benchmark: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        pages = prepare(work, 0)
        env = _environment(work)
        env["ENCRYPTION_KEYS"] = os.environ["ENCRYPTION_KEYS"]
        server = Gunicorn("portal_app", env)
        rows: list[tuple[str, dict[str, float], list[str]]] = []
        try:
            for name in PAGES:
                runs = []
                for run in range(args.runs):
                    runs.append(lighthouse(server.url + pages[name],
                                           work / f"{name.replace(' ', '-')}-{run}.json"))
                runs.sort(key=lambda r: r["categories"]["performance"]["score"])  # type: ignore[index]
                report = runs[len(runs) // 2]
                scores = {c: float(report["categories"][c]["score"]) for c in CATEGORIES}  # type: ignore[index]
                audits = report["audits"]  # type: ignore[index]
                failing = sorted(
                    f"{key} ({audit['score']}"
                    f"{', ' + audit['displayValue'] if audit.get('displayValue') else ''})"
                    for key, audit in audits.items()  # type: ignore[attr-defined]
                    if audit.get("score") is not None and audit["score"] < 0.9
                    and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings"))
                metrics = {k: audits[k]["displayValue"] for k in  # type: ignore[index]
                           ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                            "cumulative-layout-shift")}
                rows.append((f"{name} ({pages[name]})", scores,
                             [", ".join(f"{k} {v}" for k, v in metrics.items()), *failing]))
        finally:
            server.stop()
        print(f"\n  {'page':<44}" + "".join(f"{c:>16}" for c in CATEGORIES))
        for label, scores, _ in rows:
            print(f"  {label[:44]:<44}" + "".join(
                f"{scores[c]:>12.2f} {'ok ' if scores[c] >= TARGETS[c] else 'LOW'}" for c in CATEGORIES))
        for label, _scores, notes in rows:
            print(f"\n  {label}\n    " + "\n    ".join(notes))
    finally:
        if args.keep:
            print(f"\nkept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
