"""The key fingerprint and the re-key (orchestration/rekey.py), on a cut of the demo returns with real refreshes:
a refresh under another WF_PSEUDO_KEY refuses before reading anything; `--rekey` rebuilds the warehouse under
the new key, keeps the audit trail and publishes exactly the marts the old key gave."""

from __future__ import annotations

import hashlib
import hmac
import shutil
from pathlib import Path

from orchestration.rekey import key_fingerprint
from tests.reliability.helpers import DEMO, SECRET_KEY, Space, copy_phase, sha256, snapshot

NEW_KEY = "reliability-second-key-51d0a2-do-not-print"


def person_keys_under(space: Space, key: str, warehouse: Path | None = None) -> tuple[int, int]:
    """(NI numbers in one landed staff file, how many of them are in raw.nhs_esr_staff keyed under key)."""
    staff = next(space.landing.glob("nhs_esr_staff/2024-01/*.csv")).read_text(encoding="utf-8-sig").splitlines()
    column = staff[0].lower().split(",").index("ni_number")
    numbers = {line.split(",")[column].upper().replace(" ", "") for line in staff[1:]} - {""}
    expected = {hmac.new(key.encode(), f"ni|{n}".encode(), hashlib.sha256).hexdigest()[:32] for n in numbers}
    keys = {r[0] for r in space.query(warehouse or space.warehouse, "select person_key from raw.nhs_esr_staff")}
    return len(expected), len(keys & expected)


def test_another_key_is_refused_and_a_rekey_publishes_the_same_marts(tmp_path):
    space = Space(tmp_path)
    copy_phase(space.landing, "A")
    code, _, err = space.refresh()
    assert code == 0, err[-4000:]
    before = snapshot(space.marts)
    marts, warehouse = sha256(space.marts), sha256(space.warehouse)
    logged = space.query(space.warehouse, "select count(*) from audit.load_log")[0][0]
    assert space.query(space.warehouse, "select fingerprint from audit.key_fingerprint") == [
        (key_fingerprint(SECRET_KEY.encode()),)
    ]

    # A new month lands, and a refresh runs under another key: refused before anything is read or written.
    new_month = space.landing / "nhs_pwr" / "2024-03"
    shutil.copytree(DEMO / "nhs_pwr" / "2024-03", new_month)
    code, out, err = space.refresh(WF_PSEUDO_KEY=NEW_KEY)
    assert code == 2, (out, err)
    assert "WF_PSEUDO_KEY is not the key the working warehouse" in err and "--rekey" in err, err
    assert "Traceback" not in err
    assert (sha256(space.marts), sha256(space.warehouse)) == (marts, warehouse)
    shutil.rmtree(new_month)  # back out: the comparison below is on phase A

    # The deliberate re-key: the same figures, every person keyed under the new key, the audit trail kept.
    code, out, err = space.refresh("--rekey", WF_PSEUDO_KEY=NEW_KEY)
    assert code == 0, err[-4000:]
    assert "Re-keyed" in out and "delete it once the new marts are checked" in out, out[-3000:]
    after = snapshot(space.marts)
    assert after.keys() == before.keys()
    assert {t: len(r) for t, r in after.items()} == {t: len(r) for t, r in before.items()}
    assert after == before  # every published table, row for row
    landed, under_new = person_keys_under(space, NEW_KEY)
    assert landed > 0 and under_new == landed and person_keys_under(space, SECRET_KEY)[1] == 0
    fingerprints = space.query(
        space.warehouse, "select fingerprint, reason from audit.key_fingerprint order by recorded_at"
    )
    assert [f for f, _ in fingerprints] == [key_fingerprint(k.encode()) for k in (SECRET_KEY, NEW_KEY)]
    assert fingerprints[-1][1].startswith("re-key")
    archived = space.query(space.warehouse, "select count(*), count(distinct rekey) from audit_rekeyed.load_log")
    assert archived == [(logged, 1)]
    (previous,) = space.warehouse.parent.glob("warehouse.duckdb.before-rekey-*")  # the way back, whole
    assert space.query(previous, "select count(*) from audit.load_log")[0][0] == logged
    assert person_keys_under(space, SECRET_KEY, previous) == (landed, landed)
    relogged = space.query(space.warehouse, "select count(*) from audit.load_log")[0][0]
    assert relogged == sum(1 for p in space.landing.rglob("*") if p.is_file())

    # From now on the new key is the one in use; the old one is refused, and re-keying again is a no-op.
    code, _, err = space.refresh(WF_PSEUDO_KEY=NEW_KEY)
    assert code == 0, err[-4000:]
    assert snapshot(space.marts) == before
    code, _, err = space.refresh()
    assert code == 2 and "--rekey" in err
    code, out, _ = space.refresh("--rekey", WF_PSEUDO_KEY=NEW_KEY)
    assert code == 0 and "Nothing to re-key" in out
    # neither key is written anywhere the fingerprint is
    for key in (SECRET_KEY, NEW_KEY):
        assert key.encode() not in space.warehouse.read_bytes()
