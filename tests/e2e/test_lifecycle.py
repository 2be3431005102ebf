"""End-to-end: a view has a lifecycle. Each route mounts with an AbortSignal that aborts when the
route changes, so a slow view the user has left never renders over the one they went to.

The slow view is the real one: the Library page compares the perceptual hash of every pair of
pictures to find look-alikes, which with 5,000 pictures takes a noticeable while."""

import os
import random
import shutil
import struct
import tempfile
import time
import zlib
from pathlib import Path

import pytest

from test_cases import tid, click, fill, create_case
from test_contents import shot

N_PICTURES = 5000

# Which view `main` shows, by a mark only that view has. The observer below records, in order,
# each time one of them appears. The case list's header (with its New case button) is mounted the
# moment its route is, before anything is loaded; the list itself when the cases have come.
MARKS = {
    "library-loading": tid("library-loading"),
    "library": tid("library-duplicates"),
    "cases-view": tid("new-case"),
    "cases": tid("case-list"),
}

WATCH = """
const marks = arguments[0];
const main = document.getElementById('main');
window.__viewLog = [];
const shown = new Set();
const note = () => {
  for (const [name, css] of Object.entries(marks)) {
    const on = !!main.querySelector(css);
    if (on && !shown.has(name)) { shown.add(name); window.__viewLog.push(name); }
    if (!on) shown.delete(name);
  }
};
if (window.__viewObserver) window.__viewObserver.disconnect();
window.__viewObserver = new MutationObserver(note);
window.__viewObserver.observe(main, { childList: true, subtree: true });
note();
"""


def png(size, rows):
    """A greyscale PNG, written out by hand (no imaging library needed)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def make_pictures(folder, n):
    """n small pictures that all look different: 8x8 blocks of random grey, so each has its own
    perceptual hash and the look-alike search has every pair to compare."""
    folder.mkdir(parents=True)
    rnd = random.Random(20220309)
    for i in range(n):
        cells = [[rnd.randrange(256) for _ in range(8)] for _ in range(8)]
        rows = [bytes(cells[y // 4][x // 4] for x in range(32)) for y in range(32)]
        (folder / f"picture-{i:05}.png").write_bytes(png(32, rows))


@pytest.fixture
def fast_library():
    """A library folder in memory (tmpfs) when there is one: taking in 5,000 files syncs each
    batch to disk, which on a real disk makes the setup minutes long instead of seconds."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    folder = Path(tempfile.mkdtemp(prefix="casefile-e2e-", dir=base))
    yield folder / "library"
    shutil.rmtree(folder, ignore_errors=True)


def view_log(s):
    return s.execute("return window.__viewLog.slice()")


# A look-alike search of the test's own. The backend runs one command on the library at a time,
# so this one waits behind the search the abandoned Library page started earlier; when it has
# answered (and a few seconds more), that answer has reached the page too.
LOOKALIKES = "return window.__TAURI__.core.invoke('evidence_duplicates', { caseId: null }).then((p) => p.length)"


def test_a_view_left_while_loading_never_renders_over_the_next(launch, tmp_path, fast_library):
    pictures = tmp_path / "pictures"
    make_pictures(pictures, N_PICTURES)
    s = launch(fast_library).session
    create_case(s, title="Five thousand pictures", reference="UA-LC-001", description="")
    case_id = s.find(tid("case-detail")).attribute("data-id")
    click(s, "tab-evidence")
    click(s, "add-evidence")
    s.wait_visible(tid("import-form"))
    fill(s, "import-path", str(pictures))
    click(s, "import-path-add")
    click(s, "import-start")
    s.wait_visible(tid("import-summary"), timeout=120)
    summary = s.find(tid("import-summary")).inner_text
    # The count is written the UI language's way (5,000 in English).
    assert summary.startswith(f"{N_PICTURES:,} added"), summary
    click(s, "import-cancel")                        # now labelled Close

    # The look-alike search compares the pictures that have a perceptual hash; the app makes
    # them in the background. Wait until all have one, so the Library page has all the work.
    analysed = """return window.__TAURI__.core.invoke('evidence_list', { caseId: arguments[0] })
        .then((rows) => rows.filter((r) => r.analysis !== 'pending').length)"""
    s.wait_until(lambda: s.execute(analysed, case_id) == N_PICTURES, 120, "every picture analysed")

    # Open the Library page and, while it is still loading, go to the case list. An attempt
    # where the page had already rendered before the case list was mounted proves nothing either
    # way (the machine was quicker than the click); it is tried again.
    click(s, "nav-cases")
    s.wait_visible(tid("case-list"))
    for _ in range(20):
        s.execute(WATCH, MARKS)
        click(s, "nav-library")
        s.wait_until(lambda: "library-loading" in view_log(s), 10, "the Library page to start loading")
        click(s, "nav-cases")
        s.wait_until(lambda: "cases-view" in view_log(s)[view_log(s).index("library-loading"):], 10,
                     "the case list to be mounted")
        log = view_log(s)
        after = log[log.index("library-loading") + 1:]
        if "library" not in after[:after.index("cases-view")]:
            break                                    # left while it was still loading
        s.wait_visible(tid("case-list"))             # it had rendered first: again
    else:
        pytest.fail(f"in 20 attempts the Library page always finished loading before the second click ({log})")

    # The Library page's answer comes, late, and is dropped: once the backend has answered a
    # look-alike search of our own, and a while after, the case list is what is shown and the
    # Library page was never mounted after it.
    s.execute(LOOKALIKES)
    time.sleep(3)
    log = view_log(s)
    after = log[log.index("library-loading") + 1:]
    assert "library" not in after, f"the Library page rendered over the case list the user went to: {log}"
    s.wait_visible(tid("case-list"))
    assert not s.find_all(tid("library-duplicates")), "no look-alike card: the Library page never rendered"
    assert [a.attribute("data-testid") for a in s.find_all(".nav a.active")] == ["nav-cases"]
    shot(s, "lifecycle-left-library-while-loading")

    # Left alone, the Library page loads and shows its look-alikes card as before.
    click(s, "nav-library")
    s.wait_visible(tid("library-duplicates"), timeout=30)
    assert "library" in view_log(s)
    shot(s, "lifecycle-library-5000")
