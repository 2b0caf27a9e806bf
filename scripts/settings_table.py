"""Regenerate the settings table in docs/configuration.md (and the README, if it embeds one)
from registry/settings.py, the one place settings are defined.

    python scripts/settings_table.py
"""

from __future__ import annotations

import re
from pathlib import Path

from registry.settings import settings_markdown

ROOT = Path(__file__).resolve().parent.parent
MARK = re.compile(r"(<!-- settings-table -->\n).*?(<!-- /settings-table -->)", re.DOTALL)


def main() -> None:
    for doc in (ROOT / "docs" / "configuration.md", ROOT / "README.md"):
        text = doc.read_text("utf-8")
        new = MARK.sub(lambda m: m.group(1) + settings_markdown() + m.group(2), text)
        if new != text:
            doc.write_text(new, "utf-8")
            print(f"updated {doc.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
