"""A small mutation check over the modules that guard data (issue 22): organisation numbers,
the row cap, all-or-nothing loads, token parsing, the SERVICE refusal; and (issue 24) what the
commit keeps for the plans' panels, and the bounded search.

Each row of :data:`MUTATIONS` names a file, a piece of its text (found exactly once), what
replaces it, and the tests that must then fail. The script copies the repository (the files
git knows, tracked or new, not ignored) into a temporary directory once, checks that the named
tests pass there unchanged, then for each mutation writes the mutated file into the copy, checks
that the copy's module is the one Python imports (and holds the mutation), runs the named tests
with the copy first on the path, and puts the file back. The repository itself is never
changed.

    python scripts/mutation_check.py                 # every mutation
    python scripts/mutation_check.py --only R1 T1    # some of them
    python scripts/mutation_check.py --list          # the table, nothing run
    python scripts/mutation_check.py --markdown out.md

A mutation is *killed* when its tests fail, *survived* when they pass. A row marked
``equivalent`` is a change no test can see (the reason says why); it is run and reported, and
expected to survive. Exit status 1 if any other mutation survives (or a baseline fails).
Needs the project's virtualenv (the default interpreter is the one running this script) and,
for the remote-engine rows, Oxigraph's server and Virtuoso as the test suite does.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ORGNR = "tests/test_orgnr_boundaries.py"
ROWCAP = "tests/test_row_cap_boundaries.py"
MIXED = "tests/test_mixed_submissions.py"
AUTH = "tests/test_auth_header.py"
SERVICE = "tests/test_service_refusal.py"
PANELS = "tests/test_plan_panels.py"
SEARCH = "tests/test_search_index.py"
CATALOGUE = "tests/test_materialised.py"


@dataclass(frozen=True)
class Mutation:
    id: str
    file: str
    find: str
    replace: str
    #: pytest arguments: the tests that must fail (node ids, files, ``-k`` expressions)
    tests: tuple[str, ...]
    what: str
    #: why no test can tell this mutant from the original (then it is expected to survive)
    equivalent: str = ""


MUTATIONS: tuple[Mutation, ...] = (
    # -- organisation numbers ----------------------------------------------------------------
    Mutation(
        "O1", "loaders/build/refs.py",
        "check = 0 if r == 0 else (None if r == 1 else 11 - r)",
        "check = 0 if r in (0, 1) else 11 - r",
        (ORGNR,),
        "the loaders' check accepts check digit 0 when the remainder is 1 (issue 22)",
    ),
    Mutation(
        "O2", "loaders/build/refs.py", "r = total % 11", "r = total % 10", (ORGNR,),
        "the loaders' check computes modulo 10",
    ),
    Mutation(
        "O3", "loaders/build/refs.py", "_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)",
        "_WEIGHTS = (2, 3, 7, 6, 5, 4, 3, 2)", (ORGNR,),
        "the loaders' check with two weights swapped",
    ),
    Mutation(
        "O4", "loaders/build/emit.py", "            if not check_digit_ok(number):",
        "            if False:", (ORGNR,),
        "an organisations submission reads a number without its check digit",
    ),
    Mutation(
        "O5", "loaders/build/refs.py", "            if not check_digit_ok(compact):",
        "            if False:", (ORGNR,),
        "a reference by organisation number is looked up without its check digit",
    ),
    Mutation(
        "O6", "registry/publish/dcat_terms.py",
        "ok = check != 10 and check == int(orgnr[8])",
        "ok = check % 10 == int(orgnr[8])", (ORGNR,),
        "the catalogue setting's check accepts 0 when the remainder is 1",
    ),
    Mutation(
        "O7", "shapes/ogp-shapes.ttl",
        "FILTER (?sum != 11 * FLOOR(?sum / 11))",
        "FILTER (?sum > 11 * FLOOR(?sum / 11) + 1)",
        (ORGNR, "tests/test_shapes.py::test_invalid_check_digits"),
        "the shapes accept a weighted sum of remainder 1 (e.g. 400000000)",
    ),
    # -- the row cap ---------------------------------------------------------------------------
    Mutation(
        "R1", "endpoint/sparql/worker.py", "if self.lines > self.limit:",
        "if self.lines >= self.limit:", (ROWCAP,),
        "a SELECT answer of exactly the cap is marked truncated (> to >=, issue 22)",
    ),
    Mutation(
        "R2", "endpoint/sparql/worker.py",
        "sink = _LineSink(cap + 1)  # the header line and ``cap`` rows",
        "sink = _LineSink(cap)", (ROWCAP,),
        "the SELECT cap forgets the header line (one row short)",
    ),
    Mutation(
        "R3", "endpoint/sparql/worker.py",
        "counted = _Counter(itertools.islice(triples, cap))",
        "counted = _Counter(itertools.islice(triples, cap + 1))", (ROWCAP,),
        "CONSTRUCT answers get one triple over the cap",
    ),
    Mutation(
        "R4", "endpoint/sparql/worker.py", "if limit is not None and limit <= cap:",
        "if limit is not None and limit <= cap + 1:", (ROWCAP,),
        "a query's own LIMIT of cap + 1 skips the cap",
    ),
    Mutation(
        "R5", "endpoint/sparql/remote_executor.py", "if len(out) >= limit:",
        "if len(out) > limit:", (f"{ROWCAP}::test_the_cap_on_an_external_engine",),
        "the remote executor keeps one line over the cap",
    ),
    Mutation(
        "R6", "endpoint/sparql/remote_executor.py",
        "lines, truncated = self._lines(resp, request.row_cap + 1, deadline, triples=False)",
        "lines, truncated = self._lines(resp, request.row_cap, deadline, triples=False)",
        (f"{ROWCAP}::test_the_cap_on_an_external_engine",),
        "the remote TSV cap forgets the header line",
    ),
    Mutation(
        "R7", "endpoint/sparql/remote_executor.py",
        "if media is not None and limit is not None and limit <= request.row_cap:",
        "if media is not None and limit is not None and limit <= request.row_cap + 1:",
        (f"{ROWCAP}::test_the_cap_on_an_external_engine",),
        "the remote pass-through takes a LIMIT of cap + 1 uncapped",
    ),
    # -- all-or-nothing loads ------------------------------------------------------------------
    Mutation(
        "A1", "loaders/load.py",
        "    if not all(s.build.ok and s.file is not None for s in subs):",
        "    if not any(s.build.ok and s.file is not None for s in subs):", (MIXED,),
        "a load of one good and one bad submission skips the full check (issue 22)",
    ),
    Mutation(
        "A2", "loaders/load.py",
        "    builder_ok = all(s.build.ok and s.file is not None for s in subs)",
        "    builder_ok = any(s.build.ok and s.file is not None for s in subs)", (MIXED,),
        "validate() of a mixed set trusts the builder when one submission is good",
        equivalent="a submission whose build is not ok has a violation in its own issues, "
        "which combined() puts in the report, so `not report.conforms` raises all the same; "
        "builder_ok only repeats that",
    ),
    Mutation(
        "A3", "registry/loading/pipeline.py", "    if not combined.conforms:\n        raise",
        "    if False:\n        raise",
        (f"{ORGNR}::test_the_shapes_refuse_exactly_the_invalid_numbers",
         "tests/test_load.py"),
        "the pipeline's validation step reports but never refuses",
    ),
    Mutation(
        "A4", "registry/loading/pipeline.py", "    if errors:\n        raise errors[0]",
        "    if len(errors) > 1:\n        raise errors[0]",
        (f"{MIXED}::test_an_unreadable_rdf_file_among_good_ones_loads_nothing",),
        "one unreadable file among good ones is skipped instead of refusing the load",
    ),
    Mutation(
        "A5", "registry/loading/pipeline.py",
        "            if not result.unchanged:\n                changed.append(p)",
        "            if True:\n                changed.append(p)",
        ("tests/test_loaders_load.py::test_loading_the_same_file_again_is_unchanged",
         "tests/test_load.py"),
        "a file loaded again unchanged is written again (a change in the history)",
    ),
    Mutation(
        "A6", "registry/service.py", "        validate(self.store, base, prepared, validator)\n",
        "        pass\n",
        (f"{ORGNR}::test_the_shapes_refuse_exactly_the_invalid_numbers",
         "tests/test_load.py"),
        "Registry.prepare parses but does not validate",
    ),
    Mutation(
        "A7", "registry/access/graphstore.py", "        if not written and not touched:\n",
        "        if False:\n",
        ("tests/test_update_conformance.py::test_update_gives_the_embedded_result_on_every_engine",),
        "a SPARQL update that changes nothing commits a revision (every cache starts again)",
    ),
    # -- token parsing ---------------------------------------------------------------------
    Mutation(
        "T1", "endpoint/write/graphstore.py", "m = re.fullmatch(", "m = re.match(", (AUTH,),
        "'Bearer TOKEN junk' accepted: a prefix match of the header (issue 22)",
    ),
    Mutation(
        "T2", "endpoint/write/graphstore.py", "[Bb][Ee][Aa][Rr][Ee][Rr] +(",
        "[Bb][Ee][Aa][Rr][Ee][Rr] *(", (AUTH,),
        "'BearerTOKEN' accepted: no space needed after the scheme",
    ),
    Mutation(
        "T3", "endpoint/write/graphstore.py", "[Bb][Ee][Aa][Rr][Ee][Rr] +(",
        "[A-Za-z]+ +(", (AUTH,),
        "any scheme accepted ('Basic TOKEN', 'Token TOKEN')",
    ),
    Mutation(
        "T4", "endpoint/write/graphstore.py", "    if record.revoked:\n",
        "    if False:\n",
        ("tests/test_write_auth.py::test_revoked_token_is_refused_by_the_running_server",),
        "a revoked token writes",
    ),
    Mutation(
        "T5", "registry/access/tokens.py", "if ok and match is None:", "if match is None:",
        (AUTH, "tests/test_tokens.py"),
        "any value identifies the first token of the file",
    ),
    Mutation(
        "T6", "registry/access/tokens.py",
        "return record if record is not None and not record.revoked else None",
        "return record", ("tests/test_tokens.py",),
        "verify() accepts a revoked token",
    ),
    Mutation(
        "T7", "registry/access/tokens.py",
        "if not secret or len(secret) > _MAX_SECRET:", "if not secret:", (AUTH,),
        "no length bound before hashing a bearer value",
        equivalent="a value over 256 characters never matches a token (they are 43) and is "
        "refused all the same; the bound only saves hashing a long value per stored token, "
        "which no behaviour test can see (a timing would)",
    ),
    # -- the SERVICE refusal ---------------------------------------------------------------------
    Mutation(
        "S1", "registry/sparql/queryguard.py",
        'if "service" not in low and not (update and "load" in low):',
        'if "service" not in text and not (update and "load" in low):',
        (SERVICE, "-k", "not remote"),
        "the cheap test before parsing is case-sensitive: SERVICE in capitals passes",
    ),
    Mutation(
        "S2", "registry/sparql/queryguard.py", "if any(k in head for k in keywords):",
        "if any(head == k for k in keywords):", (SERVICE, "-k", "not remote"),
        "the lexer needs SERVICE as a whole word (oxigraph reads trueSERVICE as SERVICE)",
    ),
    Mutation(
        "S3", "registry/sparql/queryguard.py",
        'if "\\\\u" not in text and "\\\\U" not in text:', 'if "\\\\u" not in text:',
        (SERVICE, "-k", "not remote"),
        "\\U escapes are not decoded before the check",
    ),
    Mutation(
        "S4", "registry/sparql/queryguard.py", "    if tokens > MAX_CHECKED_TOKENS:",
        "    if tokens >= MAX_CHECKED_TOKENS:", (SERVICE, "-k", "not remote"),
        "a text of exactly the longest checked length is refused as too long",
    ),
    Mutation(
        "S5", "registry/sparql/queryguard.py",
        '_BUILTIN = re.compile(r"(?<![\\w.\\-%])(?:bif|sql):", re.IGNORECASE)',
        '_BUILTIN = re.compile(r"(?<![\\w.\\-%])(?:bif|sql):")',
        (SERVICE, "-k", "not remote"),
        "Virtuoso's built-ins in capitals (BIF:) pass",
    ),
    Mutation(
        "S6", "registry/sparql/queryguard.py",
        '    if text != query:\n        return Verdict("escapes")',
        '    if False:\n        return Verdict("escapes")', (SERVICE, "-k", "not remote"),
        "a text with escapes that decode is parsed instead of refused",
    ),
    # -- what the commit keeps for the pages (issue 24) -----------------------------------------
    Mutation(
        "P1", "registry/model/planpanels.py",
        "DOWN: tuple[str, ...] = (str(OGP.invited), str(OGP.attendee))",
        "DOWN: tuple[str, ...] = ()", (PANELS,),
        "an organisation's new kind does not reach the plans whose meetings it was invited to",
    ),
    Mutation(
        "P2", "registry/model/planpanels.py",
        'UP: tuple[str, ...] = (str(OGP.documentFor), DCT + "isPartOf", str(OGP.takenInto))',
        'UP: tuple[str, ...] = (str(OGP.documentFor), str(OGP.takenInto))', (PANELS,),
        "a proposal's response does not reach the plan it is part of (dct:isPartOf)",
    ),
    Mutation(
        "P3", "registry/model/planpanels.py", '"organisationKind", "documentFor",',
        '"documentFor",', (PANELS,),
        "the digest does not keep organisation kinds: a change of kind touches nothing",
    ),
    Mutation(
        "P4", "registry/model/resources.py",
        "kept = cache.digest.panels(plan) if cache.digest else None", "kept = None", (PANELS,),
        "pages ask the store for rows the commit kept (the panels are right, only slow)",
    ),
    Mutation(
        "P5", "registry/model/planpanels.py", '"takenInto", "response",', '"takenInto",',
        (PANELS,),
        "the digest does not watch a proposal's response: a response given alone leaves the "
        "co-creation panel's rows stale",
    ),
    Mutation(
        "P6", "registry/model/digestfile.py",
        "            every_plan |= _keep_blanks(db, graph, blanks.get(graph), n)\n",
        "            _keep_blanks(db, graph, blanks.get(graph), n)\n", (PANELS,),
        "a blank-node assessment uploaded, changed or removed leaves the plan's kept rows stale",
    ),
    Mutation(
        "C1", "registry/publish/materialise.py",
        "        reach = digest.reached(d, subjects | hung, _UP, _DOWN)\n",
        "        reach = digest.reached(d, subjects, _UP, _DOWN)\n", (CATALOGUE,),
        "an assessment uploaded as a blank node leaves its plan's download files and checksums "
        "in the catalogue without it",
    ),
    Mutation(
        "Q1", "registry/model/digest.py", "            broad = matches > SEARCH_CAP\n",
        "            broad = False\n", (SEARCH,),
        "a search for a text in very many texts ranks them all (unbounded) and says nothing",
    ),
)


def _repository_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode()
    return [f for f in out.split("\0") if f and (ROOT / f).is_file()]


def copy_repository(target: Path) -> None:
    """The working tree as git sees it (tracked and new files, not the ignored ones)."""
    for rel in _repository_files():
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dest)


def _env(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(copy) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH")
                                     else "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # no stale bytecode of a mutant after it is undone
    env.pop("PYTEST_ADDOPTS", None)
    return env


_PROBE = """
import importlib, inspect, sys
from pathlib import Path
copy, rel, replacement = Path(sys.argv[1]).resolve(), sys.argv[2], sys.argv[3]
parts = Path(rel).with_suffix("").parts
if rel.endswith(".py"):
    module = importlib.import_module(".".join(parts))
    path = Path(module.__file__).resolve()
    text = inspect.getsource(module)
else:  # package data, read through its package
    package = importlib.import_module(".".join(parts[:-1]))
    path = (Path(package.__file__).resolve().parent / Path(rel).name)
    text = path.read_text("utf-8")
assert path.is_relative_to(copy), f"{rel} is imported from {path}, not from the copy"
assert replacement in text, f"{path} does not hold the mutation"
print(path)
"""


def check_imported(python: str, copy: Path, rel: str, replacement: str) -> str:
    """That Python, run as the tests run, imports ``rel`` from the copy, with the mutation."""
    out = subprocess.run(
        [python, "-c", _PROBE, str(copy), rel, replacement],
        cwd=copy, env=_env(copy), capture_output=True, text=True, check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr else "probe failed")
    return out.stdout.strip()


def run_tests(python: str, copy: Path, tests: tuple[str, ...], timeout: float) -> tuple[int, str]:
    cmd = [python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    try:
        proc = subprocess.run(cmd, cwd=copy, env=_env(copy), capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return -1, "timed out"
    tail = (proc.stdout.strip().splitlines() or [""])[-1]
    return proc.returncode, tail


@dataclass
class Outcome:
    mutation: Mutation
    line: int
    result: str  # killed, survived, error
    detail: str
    seconds: float


def _apply(copy: Path, m: Mutation) -> tuple[str, int]:
    path = copy / m.file
    text = path.read_text("utf-8")
    count = text.count(m.find)
    if count != 1:
        raise RuntimeError(f"{m.id}: the text to mutate occurs {count} times in {m.file}")
    line = text[: text.index(m.find)].count("\n") + 1
    path.write_text(text.replace(m.find, m.replace), "utf-8")
    return text, line


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", help="mutation ids to run")
    ap.add_argument("--list", action="store_true", help="print the table and run nothing")
    ap.add_argument("--python", default=sys.executable, help="the interpreter to run tests")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per test run")
    ap.add_argument("--markdown", type=Path, help="also write the result table here")
    ap.add_argument("--keep", action="store_true", help="keep the copy (its path is printed)")
    args = ap.parse_args(argv)

    chosen = [m for m in MUTATIONS if not args.only or m.id in args.only]
    if args.list:
        for m in chosen:
            print(f"{m.id}  {m.file}: {m.what}\n    tests: {' '.join(m.tests)}")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="ogpreg-mutation-"))
    copy = tmp / "repo"
    try:
        copy_repository(copy)
        shared = ROOT.parent / "shared"  # tests read ../shared (tests/conftest.py, shared_file)
        if shared.is_dir():
            (tmp / "shared").symlink_to(shared, target_is_directory=True)
        print(f"copy: {copy}", flush=True)
        # the baseline: every set of tests passes on the copy as it is
        for tests in dict.fromkeys(m.tests for m in chosen):
            code, tail = run_tests(args.python, copy, tests, args.timeout)
            print(f"baseline {' '.join(tests)}: {tail}", flush=True)
            if code != 0:
                print("the tests fail without any mutation; fix that first", file=sys.stderr)
                return 1
        outcomes: list[Outcome] = []
        for m in chosen:
            started = time.monotonic()
            original, line = _apply(copy, m)
            try:
                try:
                    check_imported(args.python, copy, m.file, m.replace.strip())
                except RuntimeError as exc:
                    outcomes.append(Outcome(m, line, "error", str(exc), 0.0))
                    continue
                code, tail = run_tests(args.python, copy, m.tests, args.timeout)
            finally:
                (copy / m.file).write_text(original, "utf-8")
            result = "killed" if code not in (0, 5) else "survived"
            if code == 5:
                tail = "no tests ran: " + tail
            outcomes.append(Outcome(m, line, result, tail, time.monotonic() - started))
            print(f"{m.id} {result:8} {m.file}:{line}  {tail}", flush=True)
    finally:
        if args.keep:
            print(f"kept {copy}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    table = markdown(outcomes)
    print()
    print(table)
    if args.markdown:
        args.markdown.write_text(table, "utf-8")
    bad = [o for o in outcomes if o.result == "error"
           or (o.result == "survived") != bool(o.mutation.equivalent)]
    return 1 if bad else 0


def markdown(outcomes: list[Outcome]) -> str:
    rows = ["| id | where | mutation | tests | result |", "|---|---|---|---|---|"]
    for o in outcomes:
        m = o.mutation
        result = o.result
        if m.equivalent:
            result += " (equivalent: expected)" if o.result == "survived" else " (marked equivalent!)"
        tests = ", ".join(f"`{t}`" for t in m.tests if t != "-k").replace("`not remote`",
                                                                         "(`-k 'not remote'`)")
        rows.append(f"| {m.id} | `{m.file}:{o.line}` | {m.what} | {tests} | {result} |")
    killed = sum(o.result == "killed" for o in outcomes)
    rows.append("")
    rows.append(f"{killed} of {len(outcomes)} killed; "
                f"{sum(bool(o.mutation.equivalent) for o in outcomes)} marked equivalent.")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    sys.exit(main())
