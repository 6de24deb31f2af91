"""The files agree with each other as the simulated events imply."""

from __future__ import annotations

import pandas as pd

from simulator.truth import matching_key

from .recompute import add_m, current_files, norm_ni, read


def _staff(out, code, ym):
    f = current_files(out, "nhs_esr_staff").get((ym, code))
    return read(f) if f else None


def test_nhs_leavers_were_in_previous_snapshot_and_are_gone(demo_dir):
    staff = current_files(demo_dir, "nhs_esr_staff")
    checked = 0
    for (ym, code), p in sorted(current_files(demo_dir, "nhs_esr_leavers").items()):
        lv = read(p)
        prev = staff.get((add_m(ym, -1), code))
        if prev is None:
            continue
        assert set(lv["assignment_number"]) <= set(read(prev)["assignment_number"]), (ym, code)
        for k in range(0, 3):
            later = staff.get((add_m(ym, k), code))
            if later is not None:
                assert not set(lv["assignment_number"]) & set(read(later)["assignment_number"]), (ym, code, k)
        checked += len(lv)
    assert checked > 300


def test_pwr_substantive_matches_esr(demo_dir):
    staff = current_files(demo_dir, "nhs_esr_staff")
    n = 0
    for (ym, code), p in sorted(current_files(demo_dir, "nhs_pwr").items()):
        if (ym, code) not in staff:
            continue
        s = read(staff[(ym, code)])
        s = s[s["assignment_category"].isin(["Permanent", "Fixed Term Temp"])]
        # staff groups as the warehouse matches them: a trust may spell one group differently row by row
        esr = (
            s.assign(fte=s["fte"].astype(float), group=s["staff_group"].map(matching_key)).groupby("group")["fte"].sum()
        )
        pw = read(p)
        pw = pw.set_index(pw["staff_group"].map(matching_key))["substantive_fte"].astype(float)
        assert set(esr.index) == set(pw.index), (ym, code)
        assert ((esr - pw[esr.index]).abs() < 0.006).all(), (ym, code)
        n += 1
    assert n > 60


def test_started_vacancies_match_new_assignments(demo_dir):
    staff = current_files(demo_dir, "nhs_esr_staff")
    n = 0
    for (ym, code), p in sorted(current_files(demo_dir, "nhs_recruitment").items()):
        r = read(p)
        r = r[r["outcome"] == "Started"]
        if (ym, code) not in staff:
            continue
        s = read(staff[(ym, code)])
        s = s[s["assignment_category"] != "Bank"]
        have = set(zip(s["assignment_start_date"], s["staff_group"].map(matching_key), strict=True))
        missing = [x for x in zip(r["start_date"], r["staff_group"].map(matching_key), strict=True) if x not in have]
        assert not missing, (ym, code, missing[:3])
        n += len(r)
    assert n > 300


def test_time_to_hire_median_and_tail(demo_dir):
    r = pd.concat(read(p) for p in current_files(demo_dir, "nhs_recruitment").values())
    r = r[r["outcome"] == "Started"]
    days = (pd.to_datetime(r["start_date"]) - pd.to_datetime(r["approved_date"])).dt.days
    assert 40 <= days.median() <= 75
    assert days.quantile(0.9) > 1.5 * days.median()
    assert set(r["outcome"]) == {"Started"}
    allr = pd.concat(read(p) for p in current_files(demo_dir, "nhs_recruitment").values())
    assert {"Withdrawn", "Re-advertised"} <= set(allr["outcome"])
    # a re-advertised vacancy returns in a later month
    ra = allr[allr["outcome"] == "Re-advertised"]
    later = allr[allr["outcome"] == "Started"]
    assert set(ra["vacancy_reference"]) & set(later["vacancy_reference"])


def test_asc_leavers_leave_once(demo_dir):
    files = current_files(demo_dir, "asc_wds_workers")
    months = sorted(ym for ym, _ in files)
    ext = {ym: read(files[(ym, "extract")]) for ym in months}
    keys = {ym: set(zip(df["establishment_id"], df["worker_id"], strict=True)) for ym, df in ext.items()}
    n = 0
    for i, ym in enumerate(months):
        df = ext[ym]
        left = set(zip(*[df.loc[df["leave_date"] != "", c] for c in ("establishment_id", "worker_id")], strict=True))
        for later in months[i + 1 :]:
            assert not left & keys[later], (ym, later)
        if i:
            assert left <= keys[months[i - 1]]
        n += len(left)
    assert n > 150
    allw = pd.concat(ext.values())
    assert 0.2 < (allw["ni_number"] == "").mean() < 0.5
    assert {"Agency", "Pool/Bank"} <= set(allw["contract_type"])
    assert allw["ni_number"].str.contains(" ").any() and allw["ni_number"].str.contains("[a-z]").any()


def test_people_move_hold_two_jobs_and_merge(demo_dir, demo_truth):
    staff = pd.concat(read(p) for p in current_files(demo_dir, "nhs_esr_staff").values())
    staff["pk"] = norm_ni(staff["ni_number"])
    asc = pd.concat(read(p) for p in current_files(demo_dir, "asc_wds_workers").values())
    asc["pk"] = norm_ni(asc["ni_number"])
    # NHS to NHS and care home to trust
    orgs = staff.groupby("pk")["org_code"].nunique()
    assert (orgs > 1).sum() > 20
    assert len(set(asc.loc[asc["pk"] != "", "pk"]) & set(staff["pk"])) > 5
    # two substantive assignments (some in two staff groups) and bank alongside substantive
    one = staff[staff["period"] == "2024-06"]
    sub = one[one["assignment_category"] != "Bank"]
    per = sub.groupby(["org_code", "pk"])["staff_group"].agg(["size", "nunique"])
    assert (per["size"] > 1).sum() > 10 and (per["nunique"] > 1).sum() > 5
    bank = set(one.loc[one["assignment_category"] == "Bank", "pk"])
    assert len(bank & set(sub["pk"])) > 10
    # merger: the predecessor's staff continue in the successor with NI and start date
    merger = next(m for m in demo_truth["messy_cases"] if m["case"] == "trust merger")
    reg = read(demo_dir / merger["path"])
    pred = reg[reg["successor_code"] != ""].iloc[0]
    end = pred["end_date"][:7]
    files = current_files(demo_dir, "nhs_esr_staff")
    assert not [k for k in files if k[1] == pred["org_code"] and k[0] > end]
    a = read(files[(end, pred["org_code"])])
    a = a[a["assignment_category"] != "Bank"]
    b = read(files[(add_m(end, 1), pred["successor_code"])])
    ka = set(zip(norm_ni(a["ni_number"]), a["assignment_start_date"], strict=True))
    kb = set(zip(norm_ni(b["ni_number"]), b["assignment_start_date"], strict=True))
    assert len(ka & kb) >= 0.97 * len(ka)
