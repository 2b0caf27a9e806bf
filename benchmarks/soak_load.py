"""The long "load held" run: 32 clients query the real server while a source is reloaded,
for as long as asked (tests/test_load_held.py).

    python benchmarks/soak_load.py --seconds 600

Prints requests, loads, failures and the memory samples (MiB); exits 1 if a request failed, an
answer showed a partial load, or memory kept growing."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from registry.service import open_registry  # noqa: E402
from tests.conftest import make_settings  # noqa: E402
from tests.test_load_held import Held, check, hold  # noqa: E402


def check_memory(held: Held) -> None:
    """The serving processes' memory stops growing: the largest sample of the last third is
    within a margin of the largest of the first third (a ratio within the same run). Moved
    here from tests/test_load_held.py (issue 22: no measured thresholds in tests)."""
    third = len(held.memory) // 3
    assert third >= 3, held.memory
    first, last = max(held.memory[:third]), max(held.memory[-third:])
    # generous: allocator noise and the answer cache filling may add a little, a leak adds
    # per request (thousands of requests) and would pass this margin
    assert last <= first * 1.25 + 96 * 2**20, (first, last, held.memory)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--clients", type=int, default=32)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="soak-load-") as tmp:
        reg = open_registry(make_settings(Path(tmp) / "store"))
        reg.init()
        held = hold(reg, seconds=args.seconds, clients=args.clients, sample_memory=True)
    print(f"{held.requests} requests, {held.loads} loads, {len(held.failures)} failures")
    print("memory (MiB):", [m // 2**20 for m in held.memory])
    try:
        check(held)
        check_memory(held)
    except AssertionError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
