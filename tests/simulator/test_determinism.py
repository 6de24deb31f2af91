"""Same seed, same bytes (with the truth or without it: the benchmark's --no-truth); another seed, other bytes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from simulator.generate import generate


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def demo_again(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo_again") / "returns"
    generate("demo", 42, out)
    return out


def test_same_seed_same_bytes(demo_dir, demo_again):
    a, b = _hashes(demo_dir), _hashes(demo_again)
    assert a.keys() == b.keys()
    differ = [k for k in a if a[k] != b[k]]
    assert not differ, differ[:10]


def test_without_the_truth_the_same_returns(demo_dir, tmp_path):
    out = tmp_path / "returns"
    generate("demo", 42, out, truth=False)
    a, b = _hashes(demo_dir), _hashes(out)
    # truth.json says the truth was not computed and holds no figure; every return is the same
    doc = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    assert doc["truth"].startswith("not computed") and "org_months" not in doc
    assert doc["files"] == json.loads((demo_dir / "truth.json").read_text(encoding="utf-8"))["files"]
    a.pop("truth.json"), b.pop("truth.json")
    assert a.keys() == b.keys()
    differ = [k for k in a if a[k] != b[k]]
    assert not differ, differ[:10]


def test_other_seed_other_bytes(demo_dir, tmp_path):
    out = tmp_path / "returns"
    generate("demo", 7, out, aggregates=False)
    a = _hashes(demo_dir)
    b = _hashes(out)
    assert a["nhs_esr_staff/2024-06/RWE.csv"] != b["nhs_esr_staff/2024-06/RWE.csv"]
    # the real published files are copies, whatever the seed
    assert a["ods_trusts/2023-01/etr.csv"] == b["ods_trusts/2023-01/etr.csv"]


def test_committed_demo_is_current(demo_dir):
    """seeds/returns is what `python -m simulator` writes today."""
    committed = Path(__file__).resolve().parents[2] / "seeds" / "returns"
    if not committed.exists():
        pytest.skip("seeds/returns not generated")
    mine = (
        "ics_partners",
        "nhs_esr_staff",
        "nhs_esr_leavers",
        "nhs_pwr",
        "nhs_recruitment",
        "asc_wds_workers",
        "asc_wds_establishments",
        "nhs_published_sickness",
        "ods_trusts",
    )
    a = {k: v for k, v in _hashes(demo_dir).items() if k.split("/")[0] in mine}
    b = {k: v for k, v in _hashes(committed).items() if k.split("/")[0] in mine}
    assert a == b, sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))[:10]
