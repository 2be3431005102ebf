"""End-to-end: the library is encrypted, and locks.

First start asks for a passphrase twice (a mismatch is refused); Ctrl+L locks from anywhere and
leaves no case text in the page, no media served and no command answered; unlocking returns to
the start page; a wrong passphrase is told and made to wait; the library locks by itself after
a short idle time and when the system goes to sleep; its keys can be destroyed; a library from
before encryption is offered encryption. Screenshots of the lock screens land in
tests/e2e/artifacts/ for a person to look at."""

import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import PASSPHRASE, REPO, TARGET
from test_cases import tid, click, fill, visible
from test_contents import shot
from webdriver import CONTROL

PHOTOS = (REPO.parent / "shared" / "testdata" / "exif-samples" / "jpg" / "gps").resolve()

# Case content that must never be in the page once it is locked.
TITLE = "Chernihiv library shelling"
REFERENCE = "UA-CHN-417"
PSEUDONYM = "W-Lilac-93"
STATEMENT = "Мы прятались в подвале библиотеки, когда второй удар пришёлся по читальному залу."
REAL_NAME = "Halyna Ostapchuk-Verbytska"
INVESTIGATOR = "Taras Mykhailiuk"


def invoke(s, command, args=None):
    """A backend command called from the page, as the UI would: {'ok': value} or {'err': {code, ...}}."""
    return s.execute("return window.__TAURI__.core.invoke(arguments[0], arguments[1])"
                     ".then((v) => ({ ok: v }), (e) => ({ err: e }))", command, args or {})


def ok(s, command, args=None):
    r = invoke(s, command, args)
    assert "ok" in r, f"{command}: {r}"
    return r["ok"]


LOAD_IMAGE = """return new Promise((resolve) => {
  const i = new Image();
  i.onload = () => resolve('loaded ' + i.naturalWidth);
  i.onerror = () => resolve('refused');
  i.src = arguments[0] + '?' + Date.now();
});"""


def page_text(s):
    """Everything the page holds as text: what is shown, the DOM (attributes included), the
    values of every field, the title and the address."""
    return "\n".join([
        s.execute("return document.body.innerText"),
        s.source or "",
        s.execute("return [...document.querySelectorAll('input, textarea, select')].map((e) => e.value).join('\\n')"),
        s.title or "",
        s.execute("return location.href"),
    ])


def strength(s):
    el = s.find(tid("passphrase-strength"))
    return el.attribute("data-level"), el.inner_text


# --- first start ------------------------------------------------------------------
def test_first_start_asks_for_the_passphrase_twice_and_refuses_a_mismatch(launch, data_dir):
    app = launch(unlock=False)
    s = app.session
    s.wait_visible(tid("setup-form"))
    assert not visible(s, "lock-button"), "no app behind the first-start screen"

    # The strength hint: a rough guide as it is typed; it never blocks.
    fill(s, "setup-passphrase", "qwerty2024")
    level, text = strength(s)
    assert int(level) <= 1 and "Weak" in text and "qwerty" in text, (level, text)
    fill(s, "setup-passphrase", "tram cobalt hinge lantern")
    level, text = strength(s)
    assert level == "4" and "Strong" in text, (level, text)
    shot(s, "first-start")

    # Typed differently the second time: refused, nothing made on disk.
    app.set_passphrase(PASSPHRASE, repeat=PASSPHRASE + "!")
    s.wait_visible(tid("error-repeat"))
    assert "not the same" in s.find(tid("error-repeat")).inner_text
    assert not (data_dir / "casefile.db").exists(), "a refused passphrase makes no library"
    shot(s, "first-start-mismatch")

    app.set_passphrase()
    s.wait_visible(tid("empty-state"), timeout=30)
    assert (data_dir / "casefile.keys").is_file()
    assert (data_dir / "casefile.db").read_bytes()[:16] != b"SQLite format 3\x00", "the database is encrypted"

    # Next start: the lock screen, not the first start again.
    s = app.restart(unlock=False).session
    s.wait_visible(tid("unlock-form"))
    assert not visible(s, "setup-form")
    shot(s, "unlock-screen")
    app.unlock()
    s.wait_visible(tid("empty-state"))


# --- Ctrl+L ---------------------------------------------------------------------------
def test_ctrl_l_locks_from_an_open_form_and_leaves_nothing_of_the_case(launch):
    app = launch()
    s = app.session
    click(s, "set-profile")
    fill(s, "profile-name", INVESTIGATOR)
    click(s, "profile-save")
    s.wait_until(lambda: INVESTIGATOR in s.find(tid("profile-summary")).inner_text, 10, "the profile in the sidebar")
    case = ok(s, "case_create", {"input": {"title": TITLE, "reference": REFERENCE}})
    person = ok(s, "person_create", {"caseId": case["id"], "input": {"pseudonym": PSEUDONYM, "roles": ["witness"]}})
    ok(s, "identity_set", {"personId": person["id"], "identity": {"real_name": REAL_NAME}})
    statement = ok(s, "statement_create", {"caseId": case["id"], "input": {
        "witness_id": person["id"], "language": "ru", "text": STATEMENT}})
    photo = PHOTOS / "DSCN0010.jpg"
    ok(s, "evidence_import", {"caseId": case["id"], "paths": [str(photo)],
                              "acquisition": {"collected_by": INVESTIGATOR, "method": "received"}})
    evidence = s.wait_until(lambda: [e for e in ok(s, "evidence_list", {"caseId": case["id"]})
                                     if e["analysis"] != "pending"], 30, "the photo taken in and its preview made")[0]
    thumb = f"media://localhost/thumb/{evidence['id']}"
    assert s.execute(LOAD_IMAGE, thumb).startswith("loaded"), "the thumbnail is served while unlocked"

    # The statement on screen, its edit form open over it (its text in a field), a search typed.
    s.execute(f"location.hash = '#/statements/{statement['id']}'")
    s.wait_until(lambda: STATEMENT in s.find(tid("statement-detail-text")).inner_text, 10, "the statement shown")
    fill(s, "search-input", PSEUDONYM)
    click(s, "edit-statement")
    s.wait_visible(tid("statement-form"))
    s.find(f"{tid('statement-form')} textarea").click()
    before = page_text(s)
    for secret in (PSEUDONYM, STATEMENT, INVESTIGATOR):
        assert secret in before, f"the check below would prove nothing: {secret!r} was never in the page"

    s.press(CONTROL, "l")
    s.wait_visible(tid("unlock-form"))
    shot(s, "locked")
    text = page_text(s)
    for secret in (TITLE, REFERENCE, PSEUDONYM, STATEMENT, REAL_NAME, INVESTIGATOR, "DSCN0010",
                   case["id"], statement["id"], person["id"], evidence["id"]):
        assert secret not in text, f"{secret!r} is still in the locked page"
    assert s.execute("return document.getElementById('main').childElementCount") == 0
    assert not s.find_all(".backdrop"), "no modal left"
    assert not visible(s, "lock-button")

    # The backend is locked too: commands are refused, the media URL serves nothing.
    r = invoke(s, "case_list")
    assert r.get("err", {}).get("code") == "passphrase_required", r
    r = invoke(s, "statement_get", {"id": statement["id"]})
    assert r.get("err", {}).get("code") == "passphrase_required", r
    assert s.execute(LOAD_IMAGE, thumb) == "refused", "no thumbnail while locked"

    # Unlocking lands on the start page (the case list), not on the statement.
    app.unlock()
    s.wait_visible(tid("case-list"))
    assert s.execute("return location.hash") == "#/cases"
    assert [r.inner_text for r in s.find_all(tid("case-row"))][0].count(TITLE) == 1
    assert s.execute(LOAD_IMAGE, thumb).startswith("loaded"), "served again once unlocked"

    # The Lock button does the same.
    click(s, "lock-button")
    s.wait_visible(tid("unlock-form"))
    assert TITLE not in page_text(s)


# --- wrong passphrase -----------------------------------------------------------------
def test_a_wrong_passphrase_is_told_and_the_next_attempt_waits(launch):
    app = launch()
    s = app.restart(unlock=False).session
    app.unlock("not the passphrase")
    s.wait_until(lambda: "1 second" in s.find(tid("unlock-error")).inner_text, 10, "the wrong-passphrase message")
    assert "does not open the library" in s.find(tid("unlock-error")).inner_text
    s.wait_until(lambda: not s.find(tid("unlock-submit")).prop("disabled"), 5, "the button back after a second")
    app.unlock("still not it")
    s.wait_until(lambda: "2 seconds" in s.find(tid("unlock-error")).inner_text, 10, "a longer wait the second time")
    assert s.find(tid("unlock-submit")).prop("disabled"), "the button waits too"
    shot(s, "unlock-wrong-passphrase")
    # Going around the button does not help: the backend refuses before trying.
    r = invoke(s, "library_unlock", {"passphrase": PASSPHRASE})
    assert r.get("err", {}).get("code") == "unlock_delayed", r
    s.wait_until(lambda: not s.find(tid("unlock-submit")).prop("disabled"), 5, "the button back")
    app.unlock()
    s.wait_visible(tid("empty-state"))


# --- auto-lock ------------------------------------------------------------------------
def test_the_library_locks_itself_after_the_chosen_idle_time(launch):
    app = launch()
    s = app.session
    ok(s, "case_create", {"input": {"title": TITLE}})
    click(s, "nav-library")
    s.wait_visible(tid("security-panel"))
    assert s.find(tid("autolock-select")).prop("value") == "600", "ten minutes unless chosen otherwise"
    click(s, "nav-cases")
    s.wait_visible(tid("case-list"))
    # The choice is kept in the webview's storage; a test sets three seconds.
    s.execute("localStorage.setItem('casefile.autoLockSeconds', '3')")
    started = time.monotonic()
    s.wait_visible(tid("unlock-form"), timeout=20)
    idle = time.monotonic() - started
    assert idle >= 2.5, f"locked after {idle:.1f} s, before the idle time"
    assert "3 seconds without activity" in s.find(tid("lock-note")).inner_text
    assert TITLE not in page_text(s)
    shot(s, "auto-locked")
    app.unlock()
    s.execute("localStorage.setItem('casefile.autoLockSeconds', '600')")
    s.wait_visible(tid("case-list"))


# --- suspend --------------------------------------------------------------------------
@pytest.fixture
def session_bus():
    """A private D-Bus bus standing in for the system bus, on which the test plays logind."""
    if not (shutil.which("dbus-daemon") and shutil.which("gdbus")):
        pytest.skip("dbus-daemon and gdbus are needed to play logind")
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, text=True)
    address = bus.stdout.readline().strip()
    yield address
    bus.terminate()
    bus.wait(timeout=5)


def test_the_library_locks_when_the_system_goes_to_sleep(launch, session_bus):
    env = {"DBUS_SESSION_BUS_ADDRESS": session_bus, "CASEFILE_SLEEP_BUS": "session"}
    app = launch(env=env)
    s = app.session
    ok(s, "case_create", {"input": {"title": TITLE}})
    s.execute("location.hash = '#/library'")
    s.wait_visible(tid("security-panel"))
    subprocess.run(["gdbus", "emit", "--session", "--object-path", "/org/freedesktop/login1",
                    "--signal", "org.freedesktop.login1.Manager.PrepareForSleep", "true"],
                   env={**os.environ, **env}, check=True, capture_output=True)
    s.wait_visible(tid("unlock-form"), timeout=15)
    assert "went to sleep" in s.find(tid("lock-note")).inner_text
    assert TITLE not in page_text(s)
    assert invoke(s, "case_list").get("err", {}).get("code") == "passphrase_required"
    app.unlock()
    s.wait_visible(tid("case-list"))


# --- destroy keys ---------------------------------------------------------------------
def test_destroying_the_keys_is_guarded_by_the_folder_name_and_final(launch, data_dir):
    app = launch()
    s = app.session
    ok(s, "case_create", {"input": {"title": TITLE}})
    click(s, "nav-library")
    click(s, "destroy-keys-open")
    s.wait_visible(tid("destroy-form"))
    assert "nothing can open it" in s.find(tid("destroy-recovery")).inner_text, "no recovery key: said plainly"
    assert s.find(tid("destroy-submit")).prop("disabled")
    fill(s, "destroy-confirm_name", "librar")
    assert s.find(tid("destroy-submit")).prop("disabled"), "only the exact folder name arms it"
    fill(s, "destroy-confirm_name", data_dir.name)
    assert not s.find(tid("destroy-submit")).prop("disabled")
    shot(s, "destroy-keys")
    click(s, "destroy-submit")
    s.wait_visible(tid("keys-destroyed-screen"))
    assert TITLE not in page_text(s)
    shot(s, "keys-destroyed")
    keys = (data_dir / "casefile.keys").read_text()
    assert '"passphrase"' not in keys, keys

    s = app.restart(unlock=False).session
    s.wait_visible(tid("keys-destroyed-screen"))
    assert not visible(s, "unlock-form"), "no passphrase can be tried any more"


# --- a library from before encryption -------------------------------------------------
EXAMPLE = TARGET / "debug" / "examples" / "plaintext_library"


def test_a_library_from_before_encryption_is_offered_encryption(launch, data_dir):
    assert EXAMPLE.is_file(), "scripts/e2e.sh builds the plaintext_library example"
    photos = sorted(PHOTOS.glob("*.jpg"))
    subprocess.run([str(EXAMPLE), str(data_dir), TITLE, *map(str, photos)], check=True,
                   capture_output=True, text=True)
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in photos}
    app = launch()                      # opens at once: nothing to unlock
    s = app.session
    s.wait_visible(tid("encrypt-banner"))
    assert TITLE in s.find(tid("case-list")).inner_text
    shot(s, "plaintext-banner")
    click(s, "encrypt-open")
    s.wait_visible(tid("encrypt-form"))
    fill(s, "encrypt-passphrase", "Chernihiv 2022 reading room")
    fill(s, "encrypt-repeat", "Chernihiv 2022 reading room!")
    click(s, "encrypt-submit")
    s.wait_visible(tid("error-repeat"))
    fill(s, "encrypt-repeat", "Chernihiv 2022 reading room")
    shot(s, "encrypt-form")
    click(s, "encrypt-submit")
    s.wait_until(lambda: not visible(s, "encrypt-banner") and not visible(s, "encrypt-form"), 60,
                 "the library encrypted and the banner gone")
    assert (data_dir / "casefile.db").read_bytes()[:16] != b"SQLite format 3\x00"
    names = [p.name for p in (data_dir / "vault").rglob("*")]
    assert not [n for n in names for d in digests if d in n], "no vault file is named by its content hash"

    s = app.restart(unlock=False).session
    s.wait_visible(tid("unlock-form"))
    app.unlock("Chernihiv 2022 reading room")
    s.wait_visible(tid("case-list"))
    assert TITLE in s.find(tid("case-list")).inner_text
