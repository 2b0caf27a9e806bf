"""Benchmark: validate and load a large spreadsheet submission, on an empty registry and on a
registry of 100,000 synthetic commitments; and the memory of a 50 MB CSV.

    python benchmarks/bench_submission.py                      # everything (builds the 100k store)
    python benchmarks/bench_submission.py --registry-commitments 0 --csv-mb 0   # quick

The submission is INVENTED: 1,000 commitments (NO8001-NO9000, numbers no real commitment
and no synthetic registry commitment uses) with 5 milestones each, for the real 2019-2021
plan, led by real ministries of the bundled register; every title says "Syntetisk" /
"Synthetic". The 100,000-commitment registry comes from ``benchmarks/generate.py`` through
``benchmarks/bulkload.py``. Results go in docs/performance.md ("Submissions").
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook

from loaders.columns import sheet
from loaders.engine import engine_name
from loaders.load import load
from loaders.submission import Options, RawInput, read_submissions, submission_format
from registry.service import Registry, open_registry
from registry.settings import load_settings

BASE = "http://localhost:8000/"
LEADS = ("Nærings- og fiskeridepartementet", "972417858", "Kulturdepartementet")
THEMES = ("Åpne data", "Offentlige anskaffelser", "Arkivering", "integrity")


def commitment_rows(n: int, milestones: int, text: int = 0) -> tuple[list[list[object]],
                                                                   list[list[object]]]:
    c_head = [c.header_nb for c in sheet("commitments").columns]
    m_head = [c.header_nb for c in sheet("milestones").columns]
    cols = {c.key: i for i, c in enumerate(sheet("commitments").columns)}
    mcols = {c.key: i for i, c in enumerate(sheet("milestones").columns)}
    filler = ("Oppdiktet tekst for ytelsestest med æøå. " * (text // 40 + 1))[:text]
    crows: list[list[object]] = [c_head]
    mrows: list[list[object]] = [m_head]
    for i in range(n):
        prefix = ("NO", "XA", "XB", "XC", "XD")[i // 1999]  # beyond 1,999 rows: invented prefixes
        ident = f"{prefix}{8001 + i % 1999:04d}"
        row: list[object] = [None] * len(c_head)
        row[cols["ogp_id"]] = ident
        row[cols["plan"]] = "2019-2021"
        row[cols["title_nb"]] = f"Syntetisk forpliktelse {ident}"
        row[cols["title_en"]] = f"Synthetic commitment {ident}"
        row[cols["description_nb"]] = filler or f"Oppdiktet beskrivelse av {ident}."
        row[cols["lead_agency"]] = LEADS[i % len(LEADS)]
        row[cols["themes"]] = THEMES[i % len(THEMES)]
        row[cols["start_date"]] = "09.2019"
        row[cols["end_date"]] = "2021-06-30"
        crows.append(row)
        for k in range(1, milestones + 1):
            m: list[object] = [None] * len(m_head)
            m[mcols["commitment"]] = ident
            m[mcols["position"]] = k
            m[mcols["title_nb"]] = f"Syntetisk milepæl {k}"
            m[mcols["title_en"]] = f"Synthetic milestone {k}"
            m[mcols["start_date"]] = f"2019-{9 + k % 3:02d}-01"
            m[mcols["end_date"]] = "2020"
            m[mcols["completion"]] = "Fullført" if k % 2 else None
            mrows.append(m)
    return crows, mrows


def write_xlsx(path: Path, n: int, milestones: int) -> None:
    crows, mrows = commitment_rows(n, milestones)
    wb = Workbook(write_only=True)
    for name, rows in (("Forpliktelser", crows), ("Milepæler", mrows)):
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)


def write_csv(path: Path, megabytes: float) -> int:
    """A commitments CSV of about ``megabytes`` MB (long descriptions); the rows written."""
    n = 9000
    text = int(megabytes * 1_000_000 / n) - 150
    crows, _ = commitment_rows(n, 0, text=max(0, text))
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        for r in crows:
            w.writerow(["" if v is None else v for v in r])
    return n


def open_store(path: Path) -> Registry:
    reg = open_registry(load_settings({"store": str(path), "base_uri": BASE,
                                       "user": "benchmark"}, environ={}))
    reg.ensure_initialised()
    return reg


def timed_load(reg: Registry, files: list[Path], dry_run: bool = False) -> dict[str, float]:
    c0 = time.process_time()
    t0 = time.perf_counter()
    subs = read_submissions(
        reg, [(RawInput(f.name, path=f), str(submission_format(f.name))) for f in files],
        Options(submitted_by=BASE + "id/organisation/kommunal-og-moderniseringsdepartementet"),
    )
    t1 = time.perf_counter()
    results, report = load(reg, subs, dry_run=dry_run)
    t2 = time.perf_counter()
    assert report.conforms, report.render("en")[:2000]
    return {"read_build": round(t1 - t0, 3), "validate_load": round(t2 - t1, 3),
            "total": round(t2 - t0, 3), "cpu": round(time.process_time() - c0, 3),
            "triples": float(results[0].triples)}


def csv_memory(path: Path) -> dict[str, float]:
    """Run a dry-run load of the CSV in a fresh process; its peak RSS and time."""
    code = (  # noqa: UP031 - a program text
        "import sys, time, resource, tempfile; from pathlib import Path; "
        "sys.path.insert(0, %r); from benchmarks.bench_submission import open_store, timed_load; "
        "reg = open_store(Path(tempfile.mkdtemp()) / 's'); "
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
        "r = timed_load(reg, [Path(%r)], dry_run=True); "
        "import json; print(json.dumps(r | {'base_kb': base, "
        "'peak_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))"
    ) % (str(Path(__file__).resolve().parents[1]), str(path))
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--commitments", type=int, default=1000)
    p.add_argument("--milestones", type=int, default=5, help="per commitment")
    p.add_argument("--registry-commitments", type=int, default=100_000,
                   help="size of the full registry (0: skip)")
    p.add_argument("--registry-store", type=Path,
                   help="reuse (or create) the full registry's store here")
    p.add_argument("--csv-mb", type=float, default=50, help="size of the CSV (0: skip)")
    args = p.parse_args(argv)
    out: dict[str, object] = {"engine": engine_name(), "commitments": args.commitments,
                              "milestones": args.commitments * args.milestones,
                              "load_average_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="ogp-bench-sub-") as tmp:
        d = Path(tmp)
        xlsx = d / "forpliktelser.xlsx"
        write_xlsx(xlsx, args.commitments, args.milestones)
        out["xlsx_bytes"] = xlsx.stat().st_size
        empty = open_store(d / "empty")
        timed_load(empty, [xlsx], dry_run=True)  # warm caches (shapes, value sets)
        out["empty"] = timed_load(empty, [xlsx])
        print(f"empty registry: {out['empty']}", file=sys.stderr)
        if args.registry_commitments:
            from benchmarks.bulkload import build_store

            store = args.registry_store or d / "full"
            if not (store / "CURRENT").exists():
                build_store(store, args.registry_commitments, 42, base_uri=BASE)
            full = open_store(store)
            timed_load(full, [xlsx], dry_run=True)
            out["full"] = timed_load(full, [xlsx])
            out["registry_quads"] = len(full.store.reader())
            e, f = out["empty"], out["full"]
            assert isinstance(e, dict) and isinstance(f, dict)
            out["ratio_full_to_empty"] = round(f["total"] / e["total"], 2)
            print(f"full registry: {out['full']}", file=sys.stderr)
        if args.csv_mb:
            big = d / "stor.csv"
            out["csv_rows"] = write_csv(big, args.csv_mb)
            out["csv_bytes"] = big.stat().st_size
            out["csv"] = csv_memory(big)
    out["load_average_after"] = os.getloadavg()
    out["maxrss_kb_this_process"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
