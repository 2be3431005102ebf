"""End-to-end: hand a case over between installations. The sample case is exported through the
Export dialog of one app and imported through the Import dialog of a second app on another
library; the signer's fingerprint shown on both sides is the same. The export dialog opens on the
least revealing profile and makes Full a deliberate act; the receiver is asked for a name, sees
where the case came from, the sender's own history of each record, and an audit of the library.
A bundle signed by a key the receiver never trusted for the case changes nothing."""

import subprocess
import zipfile

from conftest import TARGET
from test_cases import tid, click, fill
from test_contents import shot


def export_case(s, path, profile, confirm_full=False):
    click(s, "export-case")
    s.wait_visible(tid("export-form"))
    s.find(tid(f"export-profile-{profile}")).click()
    if confirm_full:
        s.find(tid("export-confirm-full")).click()
    fill(s, "export-out", str(path))
    click(s, "export-start")
    s.wait_visible(tid("export-done"), timeout=60)


def import_bundle(s, path, name=None, expect="new_case", trust=False):
    click(s, "import-bundle")
    s.wait_visible(tid("bundle-import-form"))
    fill(s, "bundle-path", str(path))
    click(s, "bundle-verify")
    s.wait_visible(tid("verify-ok"), timeout=60)
    s.wait_visible(tid(f"standing-{expect}"), timeout=10)
    if name:
        s.wait_visible(tid("import-profile"))
        fill(s, "import-profile-name", name)
    if trust:
        s.find(tid("import-trust-key")).click()


def test_export_the_sample_case_and_import_it_in_a_second_instance(launch, tmp_path):
    bundle = tmp_path / "sample-case.zip"
    field = launch(name="field").session
    click(field, "load-sample")
    field.wait_visible(tid("case-detail"))

    # The dialog opens on the least revealing profile; Full needs a second, deliberate step.
    click(field, "export-case")
    field.wait_visible(tid("export-form"))
    assert field.find(tid("export-profile-public")).prop("checked"), "a new export starts on Public"
    field.find(tid("export-profile-full")).click()
    fill(field, "export-out", str(bundle))
    click(field, "export-start")
    field.wait_visible(tid("form-error"))
    assert "identity" in field.find(tid("form-error")).inner_text
    assert not bundle.exists(), "nothing is written until Full is confirmed"
    field.find(tid("export-confirm-full")).click()
    shot(field, "export-full-confirmed")
    click(field, "export-start")
    field.wait_visible(tid("export-done"), timeout=60)
    summary = field.find(tid("export-summary")).inner_text
    assert "Identities: 2 included, 0 withheld" in summary, summary
    assert "Locations: exact" in summary and "Custody log: included" in summary, summary
    sent_by = field.find(tid("export-fingerprint")).inner_text.strip()
    shot(field, "export-done")
    assert bundle.is_file(), "the bundle was written where the user said"
    click(field, "export-cancel")

    # Next time, the dialog opens on what this case was last exported as.
    click(field, "export-case")
    field.wait_visible(tid("export-form"))
    assert field.find(tid("export-profile-full")).prop("checked"), "the last profile used for this case"
    assert not field.find(tid("export-confirm-full")).prop("checked"), "but Full is confirmed afresh"
    field.find(tid("export-profile-public")).click()
    fill(field, "export-out", str(tmp_path / "public.zip"))
    click(field, "export-start")
    field.wait_visible(tid("export-done"), timeout=60)
    summary = field.find(tid("export-summary")).inner_text
    assert "Identities: 0 included" in summary and "coarsened" in summary and "Your name and organisation: left out" in summary, summary
    shot(field, "export-public-summary")
    click(field, "export-cancel")

    hq_dir = tmp_path / "headquarters"
    hq = launch(library=hq_dir, name="hq").session
    import_bundle(hq, bundle, name="HQ analyst")
    assert hq.find(tid("verify-fingerprint")).inner_text.strip() == sent_by, "the recipient sees the sender's key"
    shot(hq, "import-verified")
    click(hq, "bundle-import")
    hq.wait_visible(tid("import-done"), timeout=60)
    counts = hq.find(tid("import-counts")).inner_text
    assert counts.startswith("24 added, 0 updated"), counts   # every record of the sample case
    click(hq, "open-imported")
    hq.wait_visible(tid("case-detail"))
    assert "SAMPLE" in hq.find(tid("case-detail-title")).inner_text

    # Where the case came from, and who sent it.
    hq.wait_visible(tid("provenance-panel"))
    origin = hq.find(tid("provenance-origin")).inner_text
    assert sent_by in origin, origin
    rows = hq.find_all(tid("received-bundle"))
    assert len(rows) == 1 and "trusted" in rows[0].inner_text, [r.inner_text for r in rows]
    shot(hq, "case-provenance")

    # A record's history holds the sender's own entries, marked as received.
    click(hq, "tab-incidents")
    hq.wait_until(lambda: len(hq.find_all(tid("incident-row"))) == 3, 10, "the three incidents arrived")
    hq.find_all(tid("incident-row"))[0].click()
    hq.wait_visible(tid("history-panel"))
    hq.wait_until(lambda: hq.find_all(tid("history-received")), 10, "received entries in the history")
    assert "received" in hq.find(tid("history-received")).inner_text
    shot(hq, "history-received")

    # The audit: clean, then an edit made with SQL behind the app's back (by someone holding the
    # library's key: the database is encrypted) is named.
    click(hq, "nav-library")
    hq.wait_visible(tid("audit-panel"))
    click(hq, "audit-start")
    hq.wait_visible(tid("audit-ok"), timeout=60)
    assert "re-hashed" in hq.find(tid("audit-ok")).inner_text
    shot(hq, "audit-ok")
    changed = subprocess.run([str(TARGET / "debug" / "examples" / "library_sql"), str(hq_dir),
                              "UPDATE incidents SET title = 'Nothing happened' WHERE title LIKE '%Drama Theatre%'"],
                             check=True, capture_output=True, text=True).stdout.strip()
    assert changed == "1", changed
    click(hq, "audit-start")
    hq.wait_visible(tid("audit-problems"), timeout=60)
    findings = hq.find(tid("audit-problems")).inner_text
    assert "Nothing happened" in findings and "changed outside Casefile" in findings, findings
    shot(hq, "audit-finding")

    # A bundle changed after export is refused with the reason.
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith("data/case.json"):
                data = data.replace(b"Drama Theatre", b"Drama Theatrx", 1)
            dst.writestr(item, data)
    click(hq, "nav-cases")
    click(hq, "import-bundle")
    fill(hq, "bundle-path", str(tampered))
    click(hq, "bundle-verify")
    hq.wait_visible(tid("verify-problems"), timeout=60)
    assert "data/case.json" in hq.find(tid("verify-problems")).inner_text
    assert hq.find(tid("bundle-import")).prop("disabled"), "a bundle that does not verify cannot be imported"
    shot(hq, "import-refused")


def test_a_bundle_signed_by_a_key_never_trusted_for_the_case_changes_nothing(launch, tmp_path):
    first = tmp_path / "first.zip"
    field = launch(name="field").session
    click(field, "load-sample")
    field.wait_visible(tid("case-detail"))
    export_case(field, first, "prosecutor")

    hq = launch(library=tmp_path / "hq", name="hq").session
    import_bundle(hq, first, name="HQ analyst")
    click(hq, "bundle-import")
    hq.wait_visible(tid("import-done"), timeout=60)
    click(hq, "open-imported")
    hq.wait_visible(tid("case-detail"))
    click(hq, "nav-cases")

    # Someone else who got the first bundle rewrites the case and signs a bundle of their own.
    other = launch(library=tmp_path / "other", name="other").session
    import_bundle(other, first, name="Someone")
    click(other, "bundle-import")
    other.wait_visible(tid("import-done"), timeout=60)
    click(other, "open-imported")
    other.wait_visible(tid("case-detail"))
    click(other, "edit-case")
    other.wait_visible(tid("case-form"))
    fill(other, "case-title", "Nothing happened in Mariupol")
    click(other, "case-save")
    other.wait_until(lambda: "Nothing happened" in other.find(tid("case-detail-title")).inner_text, 10, "the edit")
    rewritten = tmp_path / "rewritten.zip"
    export_case(other, rewritten, "prosecutor")

    import_bundle(hq, rewritten, expect="untrusted")
    shot(hq, "import-untrusted-warning")
    click(hq, "bundle-import")
    hq.wait_visible(tid("import-untrusted"), timeout=60)
    click(hq, "open-imported")
    hq.wait_visible(tid("case-detail"))
    assert "Nothing happened" not in hq.find(tid("case-detail-title")).inner_text, "an untrusted key changed nothing"
    hq.wait_visible(tid("conflicts-panel"))
    assert hq.find_all(tid("conflict-untrusted")), "the change is held as a conflict, marked as from an untrusted key"
    received = [r.inner_text for r in hq.find_all(tid("received-bundle"))]
    assert any("not trusted" in r for r in received), received
    shot(hq, "conflict-untrusted")
