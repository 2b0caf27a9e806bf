"""The progress bar of ``ogpreg load``/``validate`` for submissions (issue 4): drawn on standard
error when it is a terminal — the real CLI runs under a pseudo-terminal (``pty``) here — with
the file's bytes, a percentage rising to 100 % and the rows read; nothing when standard error
is not a terminal or with ``--quiet``. The bytes the loaders report add up to the files' sizes
for CSV (streamed), XLSX and JSON (read whole)."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from loaders.submission import Options, RawInput, read_submissions
from registry.service import Registry
from tests.conftest import BASE, FIXTURES
from tests.endpoint_server import copy_store

SUB = FIXTURES / "submissions"
PERCENT = re.compile(r"\]\s+(\d+)%")


def _big_csv(path: Path, rows: int = 300) -> Path:
    """INVENTED commitments (ids XA0001...; the XA prefix is no country's) with long
    descriptions: about 1.5 MB, so that the bar moves through many steps."""
    with (SUB / "commitments-utf8.csv").open(encoding="utf-8", newline="") as fh:
        header, template = list(csv.reader(fh))[:2]
    header[0] = "ID"  # the registry's ID (an OGP ID is NO and four digits)
    desc = header.index("Beskrivelse (bokmål)")
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i in range(1, rows + 1):
            row = list(template)
            row[0] = f"XA{i:04d}"
            row[desc] = f"Oppdiktet beskrivelse {i} for fremdriftstesten, med æøå. " * 90
            w.writerow(row)
    return path


def _run(store: Path, *args: str, tty: bool) -> tuple[int, str, str]:
    """``ogpreg`` in a child process; with ``tty`` all three standard streams are a
    pseudo-terminal (one combined output), else pipes (stdout, stderr apart)."""
    cmd = [sys.executable, "-m", "ogpreg", "--store", str(store), "--base-uri", BASE,
           "--lang", "en", *args]
    env = {**os.environ, "OGPREG_USER": "tester", "TERM": "xterm"}
    if not tty:
        proc = subprocess.run(cmd, capture_output=True, env=env, check=False, timeout=300)
        return proc.returncode, proc.stdout.decode(), proc.stderr.decode()
    master, slave = os.openpty()
    try:
        child = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env,
                                 close_fds=True)
    finally:
        os.close(slave)
    out = bytearray()
    try:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(master)
    return child.wait(timeout=300), out.decode("utf-8", "replace"), ""


@pytest.fixture
def store(initialised_store: Path, tmp_path: Path) -> Path:
    return copy_store(initialised_store, tmp_path / "store")


def test_a_progress_bar_on_a_terminal(store: Path, tmp_path: Path) -> None:
    big = _big_csv(tmp_path / "stor.csv")
    code, out, _ = _run(store, "load", "--dry-run", "--submitted-by", "972417858", str(big),
                        tty=True)
    assert code == 0, out
    bar = out[: out.index("Validating ...")]
    assert "Reading stor.csv  [" in bar
    percents = [int(p) for p in PERCENT.findall(bar)]
    assert len(set(percents)) >= 10, percents  # it moves
    assert percents == sorted(percents) and percents[-1] == 100
    assert "#" * 30 in bar  # the full bar
    assert f"{big.stat().st_size / 1e6:.1f} MB/{big.stat().st_size / 1e6:.1f} MB" in bar
    assert "rows read: 300" in bar
    # then the status line of the next phase, cleared before the report
    assert "would load into" in out.split("Validating ...", 1)[1]


def test_the_bar_covers_a_workbook(store: Path) -> None:
    code, out, _ = _run(store, "validate", str(SUB / "commitments.xlsx"), tty=True)
    assert code == 0, out
    percents = [int(p) for p in PERCENT.findall(out)]
    assert "Reading commitments.xlsx" in out and percents[-1] == 100 and len(percents) > 2


def test_quiet_on_a_terminal_and_nothing_without_one(store: Path, tmp_path: Path) -> None:
    big = _big_csv(tmp_path / "stor.csv", rows=40)
    for args in (("validate", "--quiet"), ("load", "--dry-run", "-q")):
        code, out, _ = _run(store, *args, "--submitted-by", "972417858", str(big), tty=True)
        assert code == 0, out
        assert "Reading" not in out and "%" not in out and "\r" not in out.replace("\r\n", "")
        assert "0 errors" in out or "would load into" in out
    code, out, err = _run(store, "load", "--dry-run", "--submitted-by", "972417858", str(big),
                          tty=False)
    assert code == 0, err
    assert err == "" and "Reading" not in out and "\r" not in out
    assert "would load into" in out


@pytest.mark.parametrize("name", ["commitments-utf8.csv", "commitments.xlsx",
                                  "commitments.json"])
def test_reported_bytes_add_up_to_the_file(registry: Registry, name: str) -> None:
    got: list[int] = []
    rows: list[int] = []
    path = SUB / name
    fmt = name.rsplit(".", 1)[1]
    read_submissions(registry, [(RawInput(name, path=path), fmt)],
                     Options(progress=rows.append, progress_bytes=got.append))
    assert sum(got) == path.stat().st_size
    assert all(n > 0 for n in got)
    assert sum(rows) >= 2
    if fmt != "csv":
        assert len(got) > 2  # in shares as the rows are read, not in one piece
