"""End-to-end, keyboard only: a case, an incident, a witness and a statement are made, linked and
exported without a mouse. Only keys reach the app: Tab / Shift+Tab to move, Enter and Space to
act, arrows in lists and selects, the `n` shortcut for a new record, and text typed into the
field that has the focus. Each step checks where the focus is, as a person using a keyboard or
a screen reader would need it to be."""

from test_cases import tid
from test_contents import shot

TAB, ENTER, SPACE, DOWN = "\ue004", "\ue007", "\ue00d", "\ue015"


def at(s, css):
    return s.execute("return !!document.activeElement && document.activeElement.matches(arguments[0])", css)


def tab_to(s, css, limit=80):
    """Presses Tab until the focus is on an element matching `css`."""
    for _ in range(limit):
        if at(s, css):
            return
        s.press(TAB)
    where = s.execute("const a = document.activeElement; return a ? a.outerHTML.slice(0, 160) : null")
    raise AssertionError(f"Tab never reached {css}; the focus is on {where}")


def activate(s, css):
    tab_to(s, css)
    s.press(ENTER)


def typed(s, text):
    """Types into the element that has the focus (WebDriver's keys to the active element)."""
    s.execute("return document.activeElement").send_keys(text)


def test_a_case_made_linked_and_exported_with_the_keyboard_alone(launch, tmp_path):
    s = launch().session
    s.wait_visible(f"{tid('case-list')}, {tid('empty-state')}")

    activate(s, tid("new-case"))
    s.wait_visible(tid("case-form"))
    assert at(s, "[data-testid=case-form] input"), "the dialog's first field has the focus"
    typed(s, "Shelling of Kharkiv schools")
    activate(s, tid("case-save"))
    s.wait_visible(tid("case-detail"))

    # An incident, through the tab and the `n` shortcut.
    activate(s, tid("tab-incidents"))
    s.wait_until(lambda: at(s, tid("tab-incidents")) or at(s, "h1"), 10, "focus on the tab or the heading")
    s.press("n")
    s.wait_visible(tid("incident-form"))
    tab_to(s, tid("incident-title"))
    typed(s, "Shelling of school No. 134")
    tab_to(s, tid("incident-date"))
    typed(s, "March 2022")
    activate(s, tid("incident-save"))
    s.wait_visible(tid("incident-detail"))

    # A witness.
    activate(s, tid("back-to-case"))
    s.wait_visible(tid("case-detail"))
    activate(s, tid("tab-people"))
    s.press("n")
    s.wait_visible(tid("person-form"))
    tab_to(s, "[data-testid=person-form] input[name=roles][value=witness]")
    s.press(SPACE)
    activate(s, tid("person-save"))
    s.wait_visible(tid("person-detail"))

    # A statement by that witness.
    activate(s, tid("back-to-case"))
    s.wait_visible(tid("case-detail"))
    activate(s, tid("tab-statements"))
    s.press("n")
    s.wait_visible(tid("statement-form"))
    tab_to(s, tid("statement-witness_id"))
    s.press(DOWN)
    s.wait_until(lambda: s.execute("return document.activeElement.value"), 5, "a witness chosen with the arrow key")
    tab_to(s, tid("statement-text"))
    typed(s, "The shell hit the school basement.")
    activate(s, tid("statement-save"))
    s.wait_visible(tid("statement-detail"))

    # Linked to the incident: type in the picker, arrow to the result, Enter to pick it.
    activate(s, tid("add-link"))
    s.wait_visible(tid("link-picker"))
    tab_to(s, tid("link-search"))
    typed(s, "school")
    s.wait_until(lambda: any(r.attribute("data-type") == "incident" for r in s.find_all(tid("link-result"))), 10, "the incident found")
    s.press(DOWN)
    assert at(s, tid("link-result")), "ArrowDown moves into the results"
    s.press(ENTER)
    activate(s, tid("link-save"))
    s.wait_gone(tid("link-picker"))
    s.wait_until(lambda: len(s.find_all(tid("link-row"))) == 1, 10, "the link on the statement")

    # Exported.
    activate(s, tid("back-to-case"))
    s.wait_visible(tid("case-detail"))
    activate(s, tid("export-case"))
    s.wait_visible(tid("export-form"))
    tab_to(s, tid("export-out"))
    out = tmp_path / "keyboard-export.zip"
    typed(s, str(out))
    activate(s, tid("export-start"))
    s.wait_visible(tid("export-done"), timeout=60)
    shot(s, "keyboard-only-export-done")
    assert out.is_file() and out.stat().st_size > 0
