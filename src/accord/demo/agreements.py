"""The demo's agreements: the examples' providers with two or three customers each, shipped
as YAML in ``demo/agreements`` and written into a workspace with their terms moved to the
demo's year.

The shipped files are complete agreements (``accord validate`` passes on them). For a
workspace, two things in each file follow the demo's window: the ``effective`` line's dates
(from the first day of the twelve months; ``to``, where there is one, to the end of the next
year) and the extra closed dates of 24 and 31 December, listed for every year of the term.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from accord.demo.story import Story
from accord.model.parties import PARTIES_FILE

__all__ = ["AGREEMENTS", "agreement_files", "write_agreements"]

AGREEMENTS = Path(__file__).parent / "agreements"
"""The shipped agreement files."""

_FROM = re.compile(r"(?m)^(effective: \{from: )\d{4}-\d{2}-\d{2}")
_TO = re.compile(r"(?m)^(effective: \{from: [^,}]+, to: )\d{4}-\d{2}-\d{2}")
_CHRISTMAS = re.compile(r"dates: \[\d{4}-12-24, \d{4}-12-31\]")


def agreement_files() -> list[Path]:
    """The shipped agreement files, by name (the parties file is no agreement)."""
    return sorted(p for p in AGREEMENTS.glob("*.yaml") if p.name != PARTIES_FILE)


def _term(story: Story) -> tuple[date, date]:
    return story.first_day, date(story.last_day.year + 1, 12, 31)


def write_agreements(directory: Path, story: Story) -> list[Path]:
    """Each shipped agreement written into ``directory`` with its term covering the demo's
    twelve months, and the parties file beside them; the files written."""
    start, end = _term(story)
    closed = ", ".join(f"{year}-12-{day}" for year in range(start.year, end.year + 1)
                       for day in (24, 31))
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for source in agreement_files():
        text = source.read_text(encoding="utf-8")
        if not _FROM.search(text):
            raise ValueError(f"{source.name}: no `effective: {{from: …}}` line to move")
        text = _FROM.sub(rf"\g<1>{start.isoformat()}", text)
        text = _TO.sub(rf"\g<1>{end.isoformat()}", text)
        text = _CHRISTMAS.sub(f"dates: [{closed}]", text)
        target = directory / source.name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    parties = directory / PARTIES_FILE
    parties.write_text((AGREEMENTS / PARTIES_FILE).read_text(encoding="utf-8"), encoding="utf-8")
    return [*written, parties]
