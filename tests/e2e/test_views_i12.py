"""End-to-end, issue 12 (the views): a dense timeline is drawn as a histogram that expands into
its incidents on zoom; a map cluster is opened down to its records; the timeline, map and search
pages in Ukrainian, switched live (screenshots to look at)."""

import subprocess

from conftest import TARGET
from test_cases import tid, click
from test_contents import shot, set_language

BIN = "[data-testid=timeline-bin]"
ITEM = "[data-testid=timeline-item]"


def press(s, css):
    """Clicks the first element matching `css` (SVG marks included) as a person would; waits
    for one to be there (a view being drawn again has none for a moment)."""
    s.wait_until(lambda: s.execute(
        f"const e = document.querySelector({css!r}); if (!e) return false;"
        " e.dispatchEvent(new MouseEvent('click', { bubbles: true })); return true;"), 10, f"a press on {css}")


def test_a_dense_timeline_is_a_histogram_that_expands_on_zoom(launch, data_dir):
    bench = TARGET / "debug" / "casefile-bench"
    assert bench.is_file(), "scripts/e2e.sh builds casefile-bench"
    subprocess.run([str(bench), "seed", "--data-dir", str(data_dir), "--incidents", "5000"],
                   check=True, capture_output=True, text=True)
    s = launch().session
    s.wait_until(lambda: len(s.find_all(tid("case-row"))) == 1, 10, "the generated case")
    s.find(tid("case-row")).click()
    s.wait_visible(tid("case-detail"))
    click(s, "tab-timeline")
    s.wait_until(lambda: s.find_all(BIN), 20, "the histogram of 5,000 incidents")
    assert not s.find_all(ITEM), "5,000 incidents in view are counted, not drawn one by one"
    counted = s.execute(f"return [...document.querySelectorAll({BIN!r})].reduce((n, b) => n + Number(b.dataset.count), 0)")
    assert counted == 5000, f"every incident is in one bar: {counted}"
    shot(s, "timeline-dense")

    # Pressing a bar shows its period; finer bars, then the incidents themselves.
    # Each press zooms into a bar; the view is drawn again after it, so each step waits for
    # whichever it shows next (finer bars or the incidents) before the next press.
    step = (f"if (document.querySelector({ITEM!r})) return 'items';"
            f" const b = document.querySelector({BIN!r}); if (!b) return null;"
            " b.dispatchEvent(new MouseEvent('click', { bubbles: true })); return 'pressed';")
    for _ in range(6):
        before = s.execute(f"return [...document.querySelectorAll({BIN!r})].map((b) => b.dataset.count).join(',')")
        if s.wait_until(lambda: s.execute(step), 10, "a bar to press, or the incidents") == "items":
            break
        s.wait_until(lambda: s.find_all(ITEM) or s.execute(
            f"return [...document.querySelectorAll({BIN!r})].map((b) => b.dataset.count).join(',')") != before,
            10, "finer bars or the incidents after zooming")
    assert s.find_all(ITEM) and not s.find_all(BIN), "zoomed in, the incidents are drawn one by one"
    shot(s, "timeline-dense-zoomed")

    # The same in Ukrainian, switched live.
    click(s, "timeline-fit")
    s.wait_until(lambda: s.find_all(BIN), 10, "the histogram again")
    set_language(s, "uk")
    s.wait_until(lambda: "Інциденти" in s.execute("return document.querySelector('.tl-group-title').textContent"), 10, "Ukrainian heading")
    shot(s, "timeline-dense-uk")

    # The virtual list keeps the focused row while it scrolls: the focus stays on that incident.
    click(s, "tab-incidents")
    s.wait_until(lambda: s.find_all(tid("incident-row")), 20, "incident rows")
    first = s.execute("const r = document.querySelector('[data-testid=incident-row]'); r.focus(); return r.dataset.vindex")
    s.execute("const l = document.querySelector('[data-testid=incident-list]'); l.scrollTop = l.scrollHeight / 2;")
    s.wait_until(lambda: s.execute("return Math.max(...[...document.querySelectorAll('[data-testid=incident-row]')].map((r) => Number(r.dataset.vindex)))") > 1000,
                 10, "rows from the middle of the list")
    kept = s.execute("const a = document.activeElement; return a && a.closest('.vrow') ? a.closest('.vrow').dataset.vindex : null")
    assert kept == first, f"the focus stayed on row {first}, not {kept}"


def test_a_map_cluster_opens_down_to_its_records_and_the_views_read_in_ukrainian(launch):
    s = launch().session
    click(s, "load-sample")
    s.wait_visible(tid("case-detail"))
    set_language(s, "uk")
    click(s, "tab-map")
    s.wait_until(lambda: s.find_all(tid("map-cluster")) or s.find_all(tid("map-point")), 15, "the incidents on the map")
    shot(s, "map-uk")
    # A cluster zooms in until its points come apart, or lists its records when they cannot.
    for _ in range(20):
        if not s.find_all(tid("map-cluster")) or s.execute("return !document.querySelector('[data-testid=map-popover]').hidden"):
            break
        press(s, "[data-testid=map-cluster]")
        s.execute("return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")
    listed = s.execute("return !document.querySelector('[data-testid=map-popover]').hidden")
    points = len(s.find_all(tid("map-point")))
    assert listed or points == 3, f"the sample's three incidents are reachable (listed: {listed}, points: {points})"
    shot(s, "map-cluster-opened-uk")
    # Marks outside the view are not in the Tab order.
    outside = s.execute("""
        const r = document.querySelector('[data-testid=map]').getBoundingClientRect();
        return [...document.querySelectorAll('[data-testid=map-point], [data-testid=map-cluster]')]
          .filter((m) => { const b = m.getBoundingClientRect(); const x = (b.left + b.right) / 2, y = (b.top + b.bottom) / 2;
                           return x < r.left || x > r.right || y < r.top || y > r.bottom; })
          .filter((m) => m.getAttribute('tabindex') !== '-1').length""")
    assert outside == 0, f"{outside} marks outside the view can be reached by Tab"

    click(s, "tab-timeline")
    s.wait_until(lambda: len(s.find_all(ITEM)) == 3, 15, "three incidents on the timeline")
    assert "березня" in s.execute("return document.querySelector('.tl-range').textContent") or \
        "берез" in s.execute("return document.querySelector('.tl-axis').textContent"), "month names in Ukrainian"
    shot(s, "timeline-uk")

    s.execute("location.hash = '#/search?q=' + encodeURIComponent('театр')")
    s.wait_visible(tid("search-help"))
    s.wait_until(lambda: s.find_all(tid("search-hit")) or s.find_all(tid("search-empty")), 10, "search answered")
    assert "Як шукати" in s.find(tid("search-help")).inner_text
    shot(s, "search-uk")


def test_closing_the_import_dialog_leaves_the_import_running_in_the_sidebar(launch, tmp_path):
    import os
    from test_cases import create_case, fill
    folder = tmp_path / "big"
    folder.mkdir()
    # Large enough that hashing and sealing it takes a few seconds in a debug build.
    with open(folder / "recording.bin", "wb") as f:
        for _ in range(48):
            f.write(os.urandom(8 * 1024 * 1024))
    s = launch().session
    create_case(s, title="Long import", reference="UA-LONG-001", description="")
    click(s, "tab-evidence")
    click(s, "add-evidence")
    s.wait_visible(tid("import-form"))
    fill(s, "import-path", str(folder))
    click(s, "import-path-add")
    click(s, "import-start")
    s.wait_until(lambda: s.find_all(tid("job")), 20, "the import listed in the sidebar")
    # Escape closes the dialog; the import goes on, shown in the sidebar.
    s.find(tid("import-path")).send_keys("\ue00c")
    s.wait_until(lambda: not s.find_all(tid("import-panel")), 5, "the dialog closed")
    assert s.find_all(tid("job")), "closing the dialog never hides running work"
    shot(s, "import-running-in-sidebar")
    # Show opens the same dialog again, which ends with the import's summary.
    click(s, "job-open")
    s.wait_visible(tid("import-panel"))
    s.wait_visible(tid("import-summary"), timeout=180)
    assert s.find(tid("import-summary")).inner_text.startswith("1 added"), s.find(tid("import-summary")).inner_text
    s.wait_until(lambda: not s.find_all(tid("job")), 5, "the finished import leaves the sidebar")
