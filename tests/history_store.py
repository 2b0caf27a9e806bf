"""A registry with a back-dated history, for the tests of the change feed, the "as of" pages and
queries and the version pages (tests/test_feed.py, tests/test_asof.py, tests/browser/).

Built with real loads through :meth:`Registry.load` (and ``Registry.recorded_at`` for the
bundled data), exactly as ``ogpreg load --recorded-at`` back-fills a history:

====  ==========================  ==========================================================
 no.  recorded at (Norway)        what
====  ==========================  ==========================================================
 1    2019-06-01 12:00            the bundled data (``ogpreg init``)
 2    2019-06-20 10:00            tests/fixtures/history/history-v1.ttl: NO9921, NO9922 created
 3    2019-09-02 10:00            history-v2.ttl (same source): NO9921 updated, NO9922 deleted
====  ==========================  ==========================================================

The recorded times, like the commitments NO9921 and NO9922, are invented for the tests.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from registry.loading.sources import SourceFile
from registry.service import Registry, open_registry
from tests.conftest import BASE, FIXTURES, make_settings

OSLO = ZoneInfo("Europe/Oslo")
HISTORY = FIXTURES / "history"
SOURCE_ID = "history-example"
INIT_AT = datetime(2019, 6, 1, 12, 0, tzinfo=OSLO)
V1_AT = datetime(2019, 6, 20, 10, 0, tzinfo=OSLO)
V2_AT = datetime(2019, 9, 2, 10, 0, tzinfo=OSLO)
KMD = BASE + "id/organisation/kommunal-og-moderniseringsdepartementet"
NO9921 = BASE + "id/commitment/NO9921"
NO9922 = BASE + "id/commitment/NO9922"
TITLE_V1 = "Åpen endringslogg (eksempel)"
TITLE_V2 = "Åpen endringslogg, revidert (eksempel)"

_templates: dict[str, Path] = {}


def load_version(reg: Registry, name: str, at: datetime | None) -> None:
    data = (HISTORY / name).read_bytes()
    reg.load([SourceFile(name, data, SOURCE_ID)], submitted_by=KMD, recorded_at=at)


def build(path: Path, base: str = BASE) -> Registry:
    """A new store at ``path`` with the three changes above."""
    reg = open_registry(make_settings(path, base_uri=base))
    reg.recorded_at = INIT_AT
    reg.init()
    reg.recorded_at = None
    load_version(reg, "history-v1.ttl", V1_AT)
    load_version(reg, "history-v2.ttl", V2_AT)
    return reg


def history_store(tmp: Path, template_dir: Path) -> Path:
    """A copy of the history store (built once per test session in ``template_dir``)."""
    key = str(template_dir)
    if key not in _templates:
        template = template_dir / "history-template"
        build(template)
        _templates[key] = template
    target = tmp / "store"
    shutil.copytree(_templates[key], target)
    return target
