"""Secondary suppression's rule on a hand-made table (metrics.md, "Disclosure control"; orchestration/disclosure.py).

The attack tests (tests/reliability/test_disclosure_attack.py) check the published marts as a whole; these pin the
rule itself on sums small enough to read: one hidden value is never left alone in a sum, the smallest non-zero
member goes next, zero is never hidden, and a sum with nothing else to hide hides its total.
"""

from __future__ import annotations

import duckdb

from orchestration.disclosure import apply_secondary_suppression

MANIFEST = {
    "nodes": {
        "model.workforce.mart_demo": {
            "resource_type": "model",
            "name": "mart_demo",
            "config": {
                "meta": {
                    "disclosure": {
                        "keys": ["org_code", "profession"],
                        "counts": {"leavers": None},
                        "dependents": {"leavers": ["leaver_rate"]},
                        "relations": [
                            {
                                "name": "organisations add up to ICS",
                                "along": "org_code",
                                "total": "ICS",
                                "columns": ["leavers"],
                            },
                        ],
                    }
                }
            },
        }
    }
}


def published(rows: list[tuple]) -> dict[tuple[str, str], int | None]:
    """Load (org_code, profession, leavers, is_suppressed) rows, apply the rule, return the leavers left."""
    con = duckdb.connect()
    con.execute(
        "create table mart_demo (org_code varchar, profession varchar, leavers bigint, leaver_rate double, "
        "is_suppressed boolean)"
    )
    con.executemany(
        "insert into mart_demo values (?, ?, ?, ?, ?)", [(o, p, n, n and n / 100, s) for o, p, n, s in rows]
    )
    apply_secondary_suppression(con, MANIFEST)
    found = {(o, p): n for o, p, n in con.execute("select org_code, profession, leavers from mart_demo").fetchall()}
    rates = con.execute("select count(*) from mart_demo where leavers is null and leaver_rate is not null").fetchone()
    assert rates[0] == 0, "a rate resting on a hidden count was left published"
    return found


def test_one_hidden_member_hides_the_smallest_non_zero_other():
    left = published(
        [
            ("A", "Nurses", None, True),  # primary suppression: 1 to 4 leavers
            ("B", "Nurses", 0, False),
            ("C", "Nurses", 9, False),
            ("D", "Nurses", 7, False),
            ("ICS", "Nurses", 19, False),
        ]
    )
    assert left[("D", "Nurses")] is None, "the smallest non-zero member should be hidden with the first"
    assert left[("B", "Nurses")] == 0, "zero is never hidden"
    assert left[("C", "Nurses")] == 9 and left[("ICS", "Nurses")] == 19


def test_a_sum_with_only_zeros_besides_hides_its_total():
    left = published(
        [
            ("A", "Doctors", None, True),
            ("B", "Doctors", 0, False),
            ("ICS", "Doctors", 3, False),
        ]
    )
    assert left[("ICS", "Doctors")] is None, "the total would give the hidden member back"
    assert left[("B", "Doctors")] == 0


def test_sums_with_nothing_hidden_or_two_hidden_are_left_as_they_are():
    rows = [
        ("A", "Nurses", 5, False),
        ("B", "Nurses", 6, False),
        ("ICS", "Nurses", 11, False),
        ("A", "Doctors", None, True),
        ("B", "Doctors", None, True),
        ("C", "Doctors", 8, False),
        ("ICS", "Doctors", 12, False),
    ]
    left = published(rows)
    assert left == {(o, p): n for o, p, n, _ in rows}


def test_a_count_hidden_with_another_opens_that_ones_sum_in_the_next_pass():
    """Each pass counts the hidden values of the sums touched by what it hid, dependents included: here a
    joiner count hidden in pass 1 hides its row's dependent count, which opens the other sum for pass 2."""
    manifest = {
        "nodes": {
            "model.workforce.mart_chain": {
                "resource_type": "model",
                "name": "mart_chain",
                "config": {
                    "meta": {
                        "disclosure": {
                            "keys": ["org_code"],
                            "counts": {"joiners": None, "starters": None},
                            "dependents": {"joiners": ["starters"]},  # starters would reveal joiners
                            "relations": [
                                {"along": "org_code", "total": "ICS", "columns": ["joiners", "starters"]},
                            ],
                        }
                    }
                },
            }
        }
    }
    con = duckdb.connect()
    con.execute("create table mart_chain (org_code varchar, joiners bigint, starters bigint, is_suppressed boolean)")
    con.executemany(
        "insert into mart_chain values (?, ?, ?, ?)",
        [("A", None, 0, True), ("B", 10, 50, False), ("C", 20, 8, False), ("ICS", 33, 58, False)],
    )
    cost = apply_secondary_suppression(con, manifest)
    left = {row[0]: row[1:] for row in con.execute("select * exclude (is_suppressed) from mart_chain").fetchall()}
    # pass 1: joiners of B (the smallest) go with A's; their dependent starters of B follow;
    # pass 2: the starters' sum now has one hidden value, so the smallest non-zero other, C's 8, goes too.
    assert left == {"A": (None, 0), "B": (None, None), "C": (20, None), "ICS": (33, 58)}
    assert cost.iterations == 3 and cost.unclosed == 0
