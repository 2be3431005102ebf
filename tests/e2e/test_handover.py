"""End-to-end: hand a case over between two installations. The sample case is exported through
the Export dialog of one app and imported through the Import dialog of a second app on another
library; the signer's fingerprint shown on both sides is the same."""

from conftest import ARTIFACTS
from test_cases import tid, click, fill
from test_contents import shot


def test_export_the_sample_case_and_import_it_in_a_second_instance(launch, tmp_path):
    bundle = tmp_path / "sample-case.zip"
    field = launch(name="field").session
    click(field, "load-sample")
    field.wait_visible(tid("case-detail"))
    click(field, "export-case")
    field.wait_visible(tid("export-form"))
    field.find(tid("export-profile-full")).click()
    fill(field, "export-out", str(bundle))
    click(field, "export-start")
    field.wait_visible(tid("export-done"), timeout=60)
    sent_by = field.find(tid("export-fingerprint")).inner_text.strip()
    shot(field, "export-done")
    assert bundle.is_file(), "the bundle was written where the user said"

    hq = launch(library=tmp_path / "headquarters", name="hq").session
    click(hq, "import-bundle")
    hq.wait_visible(tid("bundle-import-form"))
    fill(hq, "bundle-path", str(bundle))
    click(hq, "bundle-verify")
    hq.wait_visible(tid("verify-ok"), timeout=60)
    assert hq.find(tid("verify-fingerprint")).inner_text.strip() == sent_by, "the recipient sees the sender's key"
    shot(hq, "import-verified")
    click(hq, "bundle-import")
    hq.wait_visible(tid("import-done"), timeout=60)
    counts = hq.find(tid("import-counts")).inner_text
    assert counts.startswith("24 added, 0 updated"), counts   # every record of the sample case
    click(hq, "open-imported")
    hq.wait_visible(tid("case-detail"))
    assert "SAMPLE" in hq.find(tid("case-detail-title")).inner_text
    click(hq, "tab-incidents")
    hq.wait_until(lambda: len(hq.find_all(tid("incident-row"))) == 3, 10, "the three incidents arrived")

    # A bundle changed after export is refused with the reason.
    import zipfile
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith("data/case.json"):
                data = data.replace(b"Drama Theatre", b"Drama Theatrx", 1)
            dst.writestr(item, data)
    click(hq, "back-to-list")
    click(hq, "import-bundle")
    fill(hq, "bundle-path", str(tampered))
    click(hq, "bundle-verify")
    hq.wait_visible(tid("verify-problems"), timeout=60)
    assert "data/case.json" in hq.find(tid("verify-problems")).inner_text
    assert hq.find(tid("bundle-import")).prop("disabled"), "a bundle that does not verify cannot be imported"
    shot(hq, "import-refused")
