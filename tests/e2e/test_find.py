"""End-to-end: find and see. Search the sample case for a word and open the result; filter the
incident list; the timeline and map show the sample incidents (screenshots to look at)."""

from test_cases import tid, click, fill
from test_contents import shot, select


def open_sample(s):
    click(s, "load-sample")
    s.wait_visible(tid("case-detail"))


def test_search_the_sample_case_and_open_the_result(launch):
    s = launch().session
    open_sample(s)
    box = s.find(tid("search-input"))
    box.send_keys("театр OR theatre\ue007")
    s.wait_visible(tid("search-results"))
    s.wait_until(lambda: s.find_all(tid("search-hit")), 10, "search hits")
    hits = s.find_all(tid("search-hit"))
    assert hits[0].attribute("data-type") == "incident", "the incident titled with the word ranks first"
    assert "Drama Theatre" in hits[0].inner_text
    marks = s.execute("return [...document.querySelectorAll('[data-testid=search-hit] mark')].map(m => m.textContent)")
    assert any(m.lower() == "theatre" for m in marks), marks
    shot(s, "search-results")
    hits[0].click()
    s.wait_visible(tid("incident-detail"))
    assert "Drama Theatre" in s.find(tid("incident-detail-title")).inner_text

    # A broken query gets a friendly message.
    box = s.find(tid("search-input"))
    box.clear()
    box.send_keys('"unclosed\ue007')
    s.wait_visible(tid("search-error"))
    assert "quotation mark" in s.find(tid("search-error")).inner_text
    # Identities are never found.
    box.clear()
    box.send_keys("Blinken\ue007")
    s.wait_visible(tid("search-empty"))


def test_filter_the_incident_list(launch):
    s = launch().session
    open_sample(s)
    click(s, "tab-incidents")
    s.wait_until(lambda: len(s.find_all(tid("incident-row"))) == 3, 10, "three incidents")
    s.execute("const i = document.querySelector('[data-testid=filter-from]'); i.value = '2022-03-15'; i.dispatchEvent(new Event('change', {bubbles: true}));")
    s.wait_until(lambda: len(s.find_all(tid("incident-row"))) == 2, 10, "theatre and art school from the 15th")
    select(s, "filter-types", "attack_school")
    s.wait_until(lambda: len(s.find_all(tid("incident-row"))) == 1, 10, "only the art school")
    assert "Art School" in s.find(tid("incident-row")).inner_text
    shot(s, "incident-filters")
    s.execute("const i = document.querySelector('[data-testid=filter-from]'); i.value = '2021-01-01'; i.dispatchEvent(new Event('change', {bubbles: true}));")
    s.execute("const i = document.querySelector('[data-testid=filter-to]'); i.value = '2021-12-31'; i.dispatchEvent(new Event('change', {bubbles: true}));")
    s.wait_visible(tid("no-matches"))


def test_timeline_and_map_show_the_sample_incidents(launch):
    s = launch().session
    open_sample(s)
    click(s, "tab-timeline")
    s.wait_until(lambda: len(s.find_all(tid("timeline-item"))) == 3, 15, "three incidents on the timeline")
    kinds = {i.attribute("data-kind") for i in s.find_all(tid("timeline-item"))}
    assert kinds == {"incident"}
    shot(s, "timeline")
    click(s, "tab-map")
    s.wait_visible(tid("map"), timeout=15)
    # The three Mariupol incidents share a place: one cluster (or three points when zoomed in).
    s.wait_until(lambda: s.find_all(tid("map-cluster")) or len(s.find_all(tid("map-point"))) == 3, 15, "the incidents on the map")
    count = sum(int(c.attribute("data-count")) for c in s.find_all(tid("map-cluster"))) + len(s.find_all(tid("map-point")))
    assert count == 3, count
    assert s.execute("return document.querySelectorAll('[data-testid=map] path').length") > 20, "the basemap's regions are drawn, offline"
    shot(s, "map")
    # Clicking an item opens it.
    click(s, "tab-timeline")
    s.wait_until(lambda: len(s.find_all(tid("timeline-item"))) == 3, 15, "timeline again")
    item = [i for i in s.find_all(tid("timeline-item")) if i.attribute("data-id")][0]
    s.execute("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", item)
    s.wait_visible(tid("incident-detail"))
