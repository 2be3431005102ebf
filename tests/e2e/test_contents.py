"""End-to-end tests of a case's contents in the real app: incidents with uncertain dates and
locations, people, statements, links seen from both sides, hostile text shown as text, and the
sample case. Screenshots of each view land in tests/e2e/artifacts/ for a person to look at."""

from conftest import ARTIFACTS
from test_cases import tid, visible, click, fill, create_case

HOSTILE = '<img src=x onerror=alert(1)> and <script>window.__pwned = 1</script>'


def select(s, name, value):
    s.find(tid(name)).select_value(value)


def shot(s, name):
    """A screenshot of what is on screen now. WebKit hands WebDriver the last frame it painted,
    which can be the frame before the latest change: two animation frames are waited for first."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    s.execute("return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")
    s.screenshot(str(ARTIFACTS / f"{name}.png"))


def set_language(s, code, remember=False):
    """Switches the running app's language as the language switch does (the app's own i18n
    module: the view on screen is drawn again in it); waits for `<html lang>` to follow."""
    s.execute(
        "return import(new URL('js/i18n.js', document.baseURI).href)"
        ".then((m) => m.setLanguage(arguments[0], { remember: arguments[1] })).then(() => true)", code, remember)
    s.wait_until(lambda: s.execute("return document.documentElement.lang") == code, 10, f"the UI in {code}")


def wait_text(s, name, expected, timeout=10):
    s.wait_until(lambda: expected in s.find(tid(name)).inner_text, timeout, f"{name} to contain {expected!r}")


def test_incident_statement_and_link_seen_from_both_sides(launch):
    s = launch().session
    create_case(s, title="Kharkiv school shelling", reference="UA-KH-134", description="")

    # An incident with an uncertain date (a month) and a location.
    click(s, "tab-incidents")
    click(s, "new-incident")
    s.wait_visible(tid("incident-form"))
    fill(s, "incident-title", "Shelling of school No. 134")
    # The date is typed as people write it; the precision (a month) is read from the typing, and
    # the line under the field says so before saving.
    fill(s, "incident-date", "03.2022")
    wait_text(s, "incident-date-understood", "March 2022, precision: month")
    fill(s, "incident-place_name", "School No. 134")
    fill(s, "incident-oblast", "Kharkiv")
    # A latitude out of range is refused next to the field, and nothing is saved.
    fill(s, "incident-latitude", "95")
    fill(s, "incident-longitude", "36.35")
    click(s, "incident-save")
    s.wait_visible(tid("error-latitude"))
    assert "90" in s.find(tid("error-latitude")).inner_text
    fill(s, "incident-latitude", "50.03")
    select(s, "incident-location_precision", "vicinity")
    shot(s, "incident-form")
    click(s, "incident-save")
    s.wait_visible(tid("incident-detail"))
    wait_text(s, "incident-detail-date", "March 2022, precision: month")
    assert "School No. 134" in s.find(tid("incident-detail-place")).inner_text
    assert "50.03, 36.35 (vicinity)" in s.find(tid("incident-detail-point")).inner_text
    incident_url = s.url

    # A witness, known by a generated pseudonym.
    click(s, "back-to-case")
    click(s, "tab-people")
    click(s, "new-person")
    s.wait_visible(tid("person-form"))
    s.find("[data-testid=person-form] input[name=roles][value=witness]").click()
    click(s, "person-save")
    s.wait_visible(tid("person-detail"))
    wait_text(s, "person-detail-title", "W-001")

    # A statement by that witness whose text is hostile HTML.
    click(s, "back-to-case")
    click(s, "tab-statements")
    click(s, "new-statement")
    s.wait_visible(tid("statement-form"))
    witness = s.find(tid("statement-witness_id"))
    option = [o for o in witness.find_all("option") if o.attribute("value")][0]
    witness.select_value(option.attribute("value"))
    select(s, "statement-language", "uk")
    s.find(tid("statement-text")).send_keys(HOSTILE)
    click(s, "statement-save")
    s.wait_visible(tid("statement-detail"))
    text = s.find(tid("statement-detail-text"))
    assert text.inner_text.strip() == HOSTILE, "the statement's text is shown exactly as typed"
    assert s.execute("return document.querySelectorAll('[data-testid=statement-detail-text] *').length") == 0, \
        "no element was created from the statement's text"
    assert s.execute("return window.__pwned === undefined"), "no script from the statement ran"


    # Link it: statement describes incident, chosen with the picker.
    click(s, "add-link")
    s.wait_visible(tid("link-picker"))
    select(s, "link-type", "describes")
    s.find(tid("link-search")).send_keys("school")
    s.wait_until(lambda: any(r.is_displayed() for r in s.find_all(tid("link-result"))), 10, "search results")
    [r for r in s.find_all(tid("link-result")) if r.attribute("data-type") == "incident"][0].click()
    click(s, "link-save")
    s.wait_gone(tid("link-picker"))
    s.wait_until(lambda: len(s.find_all(tid("link-row"))) == 1, 10, "one link on the statement")
    row = s.find(tid("link-row")).inner_text
    assert "describes" in row and "Shelling of school No. 134" in row, row
    shot(s, "statement-detail")

    # ...and the incident shows it from its side.
    s.get(incident_url)
    s.wait_visible(tid("incident-detail"))
    s.wait_until(lambda: len(s.find_all(tid("link-row"))) == 1, 10, "one link on the incident")
    row = s.find(tid("link-row")).inner_text
    assert "describes this" in row and "Statement of W-001" in row, row
    shot(s, "incident-detail")

    # Counts on the case tabs.
    click(s, "back-to-case")
    s.wait_until(lambda: s.find(tid("count-incidents")).inner_text == "1", 10, "incident count 1")
    assert s.find(tid("count-statements")).inner_text == "1"
    assert s.find(tid("count-people")).inner_text == "1"


def test_sample_case_opens_with_its_incidents_and_consent(launch):
    s = launch().session
    click(s, "load-sample")
    s.wait_visible(tid("case-detail"))
    wait_text(s, "case-detail-title", "SAMPLE")
    shot(s, "sample-overview")
    click(s, "tab-incidents")
    s.wait_until(lambda: len(s.find_all(tid("incident-row"))) == 3, 10, "three sample incidents")
    titles = [r.inner_text for r in s.find_all(tid("incident-row"))]
    assert "Drama Theatre" in titles[1] and "2022-03-16" in titles[1], titles
    shot(s, "sample-incidents")
    click(s, "tab-statements")
    s.wait_until(lambda: len(s.find_all(tid("statement-row"))) == 2, 10, "two sample statements")
    s.find_all(tid("statement-row"))[0].click()
    s.wait_visible(tid("consent-panel"))
    assert s.find(tid("consent-prosecution")).attribute("data-state") == "granted"
    assert len(s.find_all(tid("link-row"))) == 4, "describes three incidents, corroborated by one statement"
    shot(s, "sample-statement")


def test_ten_thousand_incidents_render_only_what_is_on_screen(launch, data_dir):
    import subprocess, time
    from conftest import TARGET
    bench = TARGET / "debug" / "casefile-bench"
    assert bench.is_file(), "scripts/e2e.sh builds casefile-bench"
    subprocess.run([str(bench), "seed", "--data-dir", str(data_dir), "--incidents", "10000"],
                   check=True, capture_output=True, text=True)
    s = launch().session
    s.wait_until(lambda: len(s.find_all(tid("case-row"))) == 1, 10, "the generated case")
    s.find(tid("case-row")).click()
    s.wait_visible(tid("case-detail"))
    assert s.find(tid("count-incidents")).inner_text == "10000"
    started = time.monotonic()
    click(s, "tab-incidents")
    s.wait_until(lambda: s.find_all(tid("incident-row")), 20, "incident rows")
    shown = time.monotonic() - started
    rendered = s.execute("return document.querySelectorAll('[data-testid=incident-row]').length")
    assert 0 < rendered < 120, f"only the visible rows are in the DOM, not {rendered}"
    # Scroll to the end: the last incident is rendered, and the DOM stays small.
    s.execute("const l = document.querySelector('[data-testid=incident-list]'); l.scrollTop = l.scrollHeight;")
    last_index = ("return Math.max(...[...document.querySelectorAll('[data-testid=incident-row]')]"
                  ".map(r => parseFloat(r.style.top) / parseFloat(r.style.height)))")
    s.wait_until(lambda: s.execute(last_index) == 9999, 10, "the 10,000th row rendered after scrolling")
    rendered = s.execute("return document.querySelectorAll('[data-testid=incident-row]').length")
    assert rendered < 120, rendered
    print(f"\n10,000 incidents: list shown {shown * 1000:.0f} ms after the tab click; {rendered} rows in the DOM")
    shot(s, "ten-thousand-incidents")


def test_acts_perpetrators_and_restoring_a_deleted_incident(launch):
    s = launch().session
    click(s, "load-sample")
    s.wait_visible(tid("case-detail"))
    click(s, "tab-incidents")
    s.wait_until(lambda: len(s.find_all(tid("incident-row"))) == 3, 10, "the sample incidents")
    s.find_all(tid("incident-row"))[0].click()
    s.wait_visible(tid("incident-detail"))
    before = len(s.find_all("[data-testid=acts-list] li"))
    click(s, "add-act")
    s.wait_visible(tid("act-form"))
    select(s, "act-act_type", "injury")
    fill(s, "act-victim_group", "patients and staff")
    click(s, "act-save")
    s.wait_until(lambda: len(s.find_all("[data-testid=acts-list] li")) == before + 1, 10, "the act listed")
    click(s, "add-involvement")
    s.wait_visible(tid("involvement-form"))
    who = s.find(tid("involvement-who"))
    unit = [o.attribute("value") for o in who.find_all("option") if (o.attribute("value") or "").startswith("unit:")][0]
    who.select_value(unit)
    target = s.find(tid("involvement-target"))
    act = [o.attribute("value") for o in target.find_all("option") if o.attribute("value")][0]
    target.select_value(act)
    select(s, "involvement-degree", "direct")
    click(s, "involvement-save")
    s.wait_until(lambda: len(s.find_all("[data-testid=acts-list] li")) == before + 2, 10, "the involvement listed")
    text = s.find(tid("acts-list")).inner_text
    assert "patients and staff" in text and "Armed Forces of the Russian Federation (direct)" in text, text
    shot(s, "acts")

    # Delete the incident (with a reason), find it under Deleted records, restore it.
    click(s, "delete-incident")
    s.wait_visible(tid("reason-form"))
    fill(s, "reason-input", "entered twice")
    click(s, "reason-save")
    s.wait_until(lambda: len(s.find_all(tid("incident-row"))) == 2, 10, "two incidents left in the list")
    click(s, "tab-overview")
    s.wait_visible(tid("deleted-panel"))
    s.find("[data-testid=deleted-panel] summary").click()
    assert "entered twice" in s.find(tid("deleted-record")).inner_text
    click(s, "restore-record")
    s.wait_until(lambda: not s.find_all(tid("deleted-record")), 10, "restored")
    click(s, "tab-incidents")
    s.wait_until(lambda: len(s.find_all(tid("incident-row"))) == 3, 10, "three incidents again")
