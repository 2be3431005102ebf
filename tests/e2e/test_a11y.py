"""End-to-end: an automated accessibility audit of each main view, in English and in Ukrainian.

axe-core (vendored under tests/e2e/vendor/, for the tests only; the app never loads it) is put
into the running page through WebDriver and run on the whole document. No violation of serious
or critical impact is allowed; lesser ones are printed so they can be looked at. A screenshot of
every audited view goes to tests/e2e/artifacts/a11y-<lang>-<view>.png.
"""

import json
from pathlib import Path

import pytest

from test_cases import tid, click
from test_contents import shot, set_language

AXE = (Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js").read_text()


def audit(s, name):
    """Runs axe on the page; returns the serious and critical violations (and prints the rest)."""
    if not s.execute("return !!window.axe"):
        s.execute(AXE + "\n;return true;")
    result = s.execute(
        "return axe.run(document, { resultTypes: ['violations'] })"
        ".then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })))")
    shot(s, f"a11y-{name}")
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    for v in result:
        if v not in bad:
            print(f"{name}: {v['impact']} {v['id']}: {v['help']} {v['nodes']}")
    return bad


def views(s):
    """Goes through the main views of the sample case; yields each view's name when it shows."""
    click(s, "load-sample")
    s.wait_visible(tid("case-detail"))
    yield "case-incidents"
    for tab, ready in (("tab-statements", None), ("tab-evidence", None), ("tab-people", None),
                       ("tab-timeline", "timeline-item"), ("tab-map", "map")):
        click(s, tab)
        if ready:
            s.wait_visible(tid(ready), timeout=15)
        yield tab.removeprefix("tab-")
    click(s, "tab-incidents")
    # The list may be drawn again while it is clicked (a stale row): found afresh each try.
    def open_first():
        rows = s.find_all(tid("incident-row"))
        if rows:
            rows[0].click()
        return bool(rows)
    s.wait_until(open_first, 10, "a click on the first incident row")
    s.wait_visible(tid("incident-detail"))
    yield "incident"
    box = s.find(tid("search-input"))
    box.send_keys("theatre\ue007")
    s.wait_visible(tid("search-results"))
    yield "search"
    click(s, "nav-library")
    s.wait_until(lambda: s.execute("return location.hash") == "#/library", 10, "library page")
    yield "library"
    click(s, "nav-cases")
    s.wait_visible(f"{tid('case-list')}, {tid('empty-state')}")
    yield "cases"


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_no_serious_accessibility_violations_in_any_main_view(launch, lang):
    s = launch().session
    set_language(s, lang, remember=True)
    found = {}
    for name in views(s):
        bad = audit(s, f"{lang}-{name}")
        if bad:
            found[name] = bad
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
