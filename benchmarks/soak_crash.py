"""The long kill loop: SIGKILL a large load hundreds of times (tests/crash_loop.py).

    python benchmarks/soak_crash.py --kills 200 --milestones 8000 --seed 1

Everything it loads is INVENTED (commitment NO9950). Prints one line per kill and a summary;
exits 1 at the first store state that is neither before nor after a load."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.crash_loop import kill_loop, open_at, submission  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kills", type=int, default=200)
    ap.add_argument("--milestones", type=int, default=8000, help="about 10 triples each")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="soak-crash-") as tmp:
        store = Path(tmp) / "store"
        open_at(store).init()
        files = (Path(tmp) / "a.ttl", Path(tmp) / "b.ttl")
        files[0].write_text(submission(args.milestones, "A"), "utf-8")
        files[1].write_text(submission(args.milestones, "B"), "utf-8")
        try:
            report = kill_loop(store, files, kills=args.kills, seed=args.seed, log=print)
        except AssertionError as exc:
            print(f"FAILED: {exc}", file=sys.stderr)
            return 1
    print(
        f"{report.kills} kills, {report.finished_before_kill} loads finished first; "
        f"state before: {report.before}, after: {report.after}; all consistent"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
