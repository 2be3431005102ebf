"""End-to-end: evidence in the real app. Add a folder of the sample photos through the import
dialog, watch thumbnails arrive, open one, mark it graphic and reveal it."""

from pathlib import Path

from conftest import ARTIFACTS, REPO
from test_cases import tid, click, fill, create_case
from test_contents import shot, select

SAMPLES = (REPO.parent / "shared" / "testdata" / "exif-samples" / "jpg").resolve()


def loaded_thumbnails(s):
    return s.execute("return [...document.querySelectorAll('[data-testid=evidence-tile] img')]"
                     ".filter(i => i.complete && i.naturalWidth > 0).length")


def test_add_a_folder_see_thumbnails_open_one_and_reveal_a_graphic_one(launch):
    assert SAMPLES.is_dir(), SAMPLES
    s = launch().session
    create_case(s, title="Evidence intake", reference="UA-EV-001", description="")
    click(s, "tab-evidence")
    click(s, "add-evidence")
    s.wait_visible(tid("import-form"))
    fill(s, "import-path", str(SAMPLES / "gps"))
    click(s, "import-path-add")
    fill(s, "acq-collected_by", "O. Koval")
    select(s, "acq-method", "received")
    fill(s, "acq-source_description", "Sample photos")
    click(s, "import-start")
    s.wait_visible(tid("import-summary"), timeout=60)
    summary = s.find(tid("import-summary")).inner_text
    assert summary.startswith("5 added"), summary   # four photos and a README
    shot(s, "evidence-import-done")
    click(s, "import-cancel")                        # now labelled Close

    # Thumbnails arrive in the background and replace their placeholders.
    s.wait_until(lambda: len(s.find_all(tid("evidence-tile"))) == 5, 10, "five tiles")
    s.wait_until(lambda: loaded_thumbnails(s) == 4, 30, "four thumbnails shown")
    shot(s, "evidence-grid")

    # Open a photo: its hash, capture time, GPS and the clock warning are shown.
    tile = [t for t in s.find_all(tid("evidence-tile")) if "DSCN0010" in t.inner_text][0]
    tile.click()
    s.wait_visible(tid("evidence-detail"))
    assert s.find(tid("evidence-sha256")).inner_text == "17307b1207eb6487d7908e9d154890b46e3d2e0192369cfd3f4c33d5a5af4035"
    assert "2008-10-22 16:28:39" in s.find(tid("evidence-capture")).inner_text
    assert "43.467448" in s.find(tid("evidence-gps")).inner_text
    assert s.find(tid("clock-warning")).is_displayed()
    s.wait_until(lambda: s.find_all("[data-testid=evidence-map] [data-testid=map-point], [data-testid=evidence-map] [data-testid=map-cluster]"), 10,
                 "the photo's GPS position on the offline map")
    s.wait_until(lambda: s.execute("const i = document.querySelector('[data-testid=evidence-image]'); return !!i && i.complete && i.naturalWidth > 0"),
                 10, "the full image")
    shot(s, "evidence-detail")

    # Mark it graphic: it is blurred here and in the grid until someone chooses to look.
    click(s, "edit-evidence")
    s.wait_visible(tid("evidence-form"))
    s.find(tid("evidence-graphic-input")).click()
    click(s, "evidence-save")
    s.wait_until(lambda: "Yes" in s.find(tid("evidence-graphic")).inner_text, 10, "graphic flag saved")
    assert s.find(tid("reveal-graphic")).is_displayed(), "a graphic item starts hidden"
    assert "blurred" in s.find(tid("evidence-picture")).attribute("class")
    click(s, "back-to-case")
    s.wait_until(lambda: len(s.find_all(tid("evidence-tile"))) == 5, 10, "the grid again")
    blurred = s.execute("return document.querySelectorAll('[data-testid=evidence-tile] .pic.blurred').length")
    assert blurred == 1, "the graphic item is blurred in the grid too"
    shot(s, "evidence-grid-graphic")
    # Its reveal button is not inside the tile's link (a control nested in a link is lost to
    # keyboards and screen readers); the tile's name still opens the item.
    assert s.execute("return document.querySelectorAll('a button, a a, a [tabindex]').length") == 0
    assert s.execute("return document.querySelector('.tile-graphic .tile-link').getAttribute('href')").startswith("#/evidence/")
    s.find(tid("reveal-graphic")).click()
    s.wait_until(lambda: s.execute("return document.querySelectorAll('.pic.blurred').length") == 0, 5, "revealed")


def test_library_page_duplicates_and_a_new_vocabulary_term(launch):
    s = launch().session
    create_case(s, title="Orientation samples", reference="UA-EV-002", description="")
    click(s, "tab-evidence")
    click(s, "add-evidence")
    fill(s, "import-path", str(SAMPLES / "orientation"))
    click(s, "import-path-add")
    click(s, "import-start")
    s.wait_visible(tid("import-summary"), timeout=60)
    click(s, "import-cancel")
    s.wait_until(lambda: loaded_thumbnails(s) >= 6, 30, "thumbnails")   # the duplicates need their hashes
    click(s, "nav-library")
    s.wait_visible(tid("library-duplicates"))
    assert "Possible duplicates across all cases" in s.find(tid("library-duplicates")).inner_text
    assert len(s.find_all("[data-testid=library-duplicates] .dup")) > 0, "the same scene in other orientations pairs up"
    assert len(s.find(tid("library-fingerprint")).inner_text.split()) == 16, "the full fingerprint, 16 groups"
    select(s, "term-vocab", "incident_type")
    fill(s, "term-code", "attack_on_market")
    fill(s, "term-label_en", "Attack on a market")
    fill(s, "term-label_uk", "Напад на ринок")
    click(s, "term-save")
    listed = "return [...document.querySelectorAll('[data-testid=vocab-term]')].some(t => t.textContent.includes('Attack on a market'))"
    s.wait_until(lambda: s.execute(listed), 10, "the new term listed")
    shot(s, "library")
