"""The UI shell by keyboard (issue 12): dialogs that ask before losing typed input and give the
focus back, Enter that never sends a long form from its first field, the counter of a limited
field and a refused over-long paste, the shortcuts and their help, focus on the heading after
navigation, the skip link, and the language switched live."""

from conftest import ARTIFACTS
from test_cases import tid, click, visible, open_form, create_case, LIST_VIEW

ESCAPE = "\ue00c"
ENTER = "\ue007"
CONTROL = "\ue009"
TAB = "\ue004"


def active_testid(s):
    return s.execute("const a = document.activeElement; return a ? (a.dataset.testid || a.tagName) : null")


def test_dialog_asks_before_discarding_and_gives_focus_back(launch):
    s = launch().session
    s.wait_visible(LIST_VIEW)
    open_form(s)
    assert active_testid(s) == "case-title", "the focus starts in the first field"
    assert s.execute("return document.querySelector('dialog[open]') !== null"), "a real modal <dialog>"

    # Nothing typed: Escape closes at once, and the focus is back on the button that opened it.
    s.press(ESCAPE)
    s.wait_gone(tid("case-form"))
    assert active_testid(s) == "new-case", "the focus returns to what opened the dialog"

    # Typed: Escape asks, "Keep editing" (and Escape again) keep the form and what was typed.
    open_form(s)
    s.find(tid("case-title")).send_keys("Draft title")
    s.press(ESCAPE)
    s.wait_visible(tid("discard-question"))
    s.screenshot(str(ARTIFACTS / "shell-discard-question.png"))
    assert active_testid(s) == "discard-keep", "the safe answer has the focus"
    s.press(ESCAPE)
    s.wait_gone(tid("discard-question"))
    assert s.find(tid("case-title")).prop("value") == "Draft title"

    # Enter in the title (not the form's last one-line field) does not send the form.
    s.find(tid("case-title")).send_keys(ENTER)
    assert visible(s, "case-form"), "Enter in the first field of the form sent it"

    # × asks too; Discard closes.
    click(s, "modal-close")
    s.wait_visible(tid("discard-question"))
    click(s, "discard-confirm")
    s.wait_gone(tid("case-form"))
    assert not s.find_all(tid("case-row")), "nothing was saved"


def test_limit_counter_and_refused_paste(launch):
    s = launch().session
    s.wait_visible(LIST_VIEW)
    open_form(s)
    s.find(tid("case-description")).send_keys("Пологовий будинок")
    counter = s.find(tid("counter-description")).inner_text
    assert counter.startswith("17 / 100") and "000" in counter, counter
    # A paste of 200,000 characters: refused at once, with the limit named, the field untouched.
    took = s.execute("""
        const f = document.querySelector('[data-testid=case-description]');
        f.focus();
        const dt = new DataTransfer();
        dt.setData('text/plain', 'x'.repeat(200000));
        const t0 = performance.now();
        f.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
        return performance.now() - t0;""")
    note = s.wait_visible(tid("limit-description")).inner_text
    s.screenshot(str(ARTIFACTS / "shell-paste-refused.png"))
    assert "100,000" in note and "200,000" in note, note
    assert s.find(tid("case-description")).prop("value") == "Пологовий будинок"
    assert took < 1000, f"the refusal took {took} ms"


def test_shortcuts_focus_and_language(launch):
    s = launch().session
    s.wait_visible(LIST_VIEW)
    create_case(s, title="Keyboard case", reference="KB-1", description="")
    # After navigation the focus is on the page's heading.
    s.wait_until(lambda: active_testid(s) == "case-detail-title", 10, "the focus on the case title")
    # A change of tab puts the focus on the tab, marked as the current page.
    click(s, "tab-people")
    s.wait_until(lambda: active_testid(s) == "tab-people", 10, "the focus on the People tab")
    assert s.find(tid("tab-people")).attribute("aria-current") == "page"
    # n: a new record in the tab on screen.
    s.press("n")
    s.wait_visible(tid("person-form"))
    s.press(ESCAPE)
    s.wait_gone(tid("person-form"))
    # g c: back to the cases; ?: the shortcuts.
    s.press("g")
    s.press("c")
    s.wait_visible(LIST_VIEW)
    s.press("?")
    s.wait_visible(tid("help-panel"))
    assert s.find_all(tid("shortcut-newRecord"))
    s.screenshot(str(ARTIFACTS / "shell-help.png"))
    s.press(ESCAPE)
    s.wait_gone(tid("help-panel"))
    # The skip link is the first thing Tab reaches.
    s.execute("document.activeElement.blur(); document.body.focus();")
    s.press(TAB)
    assert active_testid(s) == "skip-link"
    # Ctrl+S saves an open form.
    click(s, "new-case")
    s.wait_visible(tid("case-form"))
    s.find(tid("case-title")).send_keys("Saved by Ctrl+S")
    s.press(CONTROL, "s")
    s.wait_visible(tid("case-detail"))
    # Ukrainian, live: the sidebar, the view and <html lang> follow; the choice has the focus.
    s.find(tid("language-select")).select_value("uk")
    s.wait_until(lambda: s.find(tid("nav-cases")).inner_text.strip() == "Справи", 10, "the sidebar in Ukrainian")
    s.wait_until(lambda: "Огляд" in s.find(tid("tab-overview")).inner_text, 10, "the case in Ukrainian")
    assert s.execute("return document.documentElement.lang") == "uk"
    s.screenshot(str(ARTIFACTS / "shell-uk-case.png"))
    s.find(tid("language-select")).select_value("en")
    s.wait_until(lambda: s.find(tid("nav-cases")).inner_text.strip() == "Cases", 10, "back in English")
