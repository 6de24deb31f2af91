"""The ics scale, generated once (slow): shapes on a sample of files and truth on a sample of entries."""

from __future__ import annotations

import json
import random

import pytest

from simulator.generate import generate

from .recompute import Landing
from .test_shapes import check_file
from .test_truth import compare_entries

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ics(tmp_path_factory):
    out = tmp_path_factory.mktemp("ics") / "returns"
    generate("ics", 42, out, aggregates=False)
    return out, json.loads((out / "truth.json").read_text(encoding="utf-8"))


def test_ics_shapes_sample(ics):
    out, truth = ics
    messy = {m["path"] for m in truth["messy_cases"]}
    rnd = random.Random(1)
    for source in (
        "nhs_esr_staff",
        "nhs_esr_leavers",
        "nhs_pwr",
        "nhs_recruitment",
        "asc_wds_workers",
        "asc_wds_establishments",
        "ics_partners",
    ):
        files = [p for p in sorted((out / source).glob("*/*.csv")) if str(p.relative_to(out)) not in messy]
        assert files
        for p in rnd.sample(files, min(4, len(files))):
            check_file(out, p, truth)


def test_ics_size_and_levels(ics):
    _out, truth = ics
    last = [e for e in truth["org_months"] if e["period"] == truth["last_period"] and e["profession"] == "All"]
    nhs = sum(e["headcount"] for e in last if e["sector"] == "NHS")
    asc = sum(e["headcount"] for e in last if e["sector"] == "Adult social care")
    assert 20_000 < nhs < 32_000 and 15_000 < asc < 26_000
    sysv = {(r["sector"], r["kpi"]): r["value"] for r in truth["system"] if r["period"] == truth["last_period"]}
    assert 0.08 <= sysv[("NHS", "turnover_rate_12m")] <= 0.14
    assert 0.20 <= sysv[("Adult social care", "turnover_rate_12m")] <= 0.35


def test_ics_truth_sample(ics):
    out, truth = ics
    landing = Landing(out)
    rnd = random.Random(2)
    nhs = [e for e in truth["org_months"] if e["sector"] == "NHS"]
    asc = [e for e in truth["org_months"] if e["sector"] == "Adult social care"]
    sample = rnd.sample(nhs, 12) + rnd.sample(asc, 40)
    bad = compare_entries(landing, sample)
    assert not bad, "\n".join(bad[:20])
