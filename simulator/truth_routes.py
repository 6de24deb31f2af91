"""Truth of mart_entry_routes' route split (issue #23), from the simulated events: the NHS joiners of each
trust (under its final merger successor) by route over the twelve months to each month-end, from the
simulated staff in post (substantive assignments), each person's drawn route (simulator/routes.py) and the
retirements the engine simulated (precedence: a retirement from a partner in m-12 .. m makes the joining
'Retire and return'). Joiners on files without the optional columns (by the code on the file) are 'Other'.
Written to truth.json under `entry_routes`: rows of (period, org_code, route, joiners_12m), profession 'All'.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .routes import RouteFlags, sends
from .util import month_end_day

ROUTE_NAMES = {0: "Other", 1: "Apprentice", 2: "International recruit"}


def entry_route_truth(sip: list[pd.DataFrame], months: list[str], codes: list[str], final, flags: RouteFlags):
    """sip: the truth input's NHS staff in post per month (t, org, pk); final: org code -> reporting code."""
    people = pd.concat(sip, ignore_index=True)[["t", "org", "pk"]]
    people["sent"] = np.array([sends(c) for c in codes])[people["org"].to_numpy()]  # by the code on the file
    people["code"] = np.array([final(c) for c in codes], dtype=object)[people["org"].to_numpy()]
    people = people.sort_values("sent", ascending=False).drop_duplicates(["t", "code", "pk"])
    before = people.assign(t=people["t"] + 1)[["t", "code", "pk"]]
    joined = people.merge(before, on=["t", "code", "pk"], how="left", indicator=True)
    joined = joined[(joined["_merge"] == "left_only") & (joined["t"] > 0)].drop(columns="_merge")
    route = flags.route[joined["pk"].to_numpy()] if len(joined) else np.zeros(0, dtype=np.int8)
    sent = joined["sent"].to_numpy(bool)
    names = np.array([ROUTE_NAMES[r] for r in route], dtype=object)
    names = np.where(sent | (route == 0), names, "Other")
    retired = flags.retirements()
    if len(retired) and len(joined):
        pairs = joined[["t", "pk"]].reset_index().merge(retired, on="pk")
        hit = pairs[(pairs["t_y"] <= pairs["t_x"]) & (pairs["t_y"] >= pairs["t_x"] - 12)]["index"].unique()
        names[joined.index.get_indexer(hit)] = "Retire and return"
    joined["route"] = names
    counts = joined.groupby(["t", "code", "route"]).size()
    rows = []
    for t in range(12, len(months)):
        window = counts[(counts.index.get_level_values("t") > t - 12) & (counts.index.get_level_values("t") <= t)]
        for (code, route), n in window.groupby(level=["code", "route"]).sum().items():
            rows.append(
                {
                    "period": str(np.datetime64(month_end_day(months[t]), "D")),
                    "org_code": code,
                    "route": route,
                    "joiners_12m": int(n),
                }
            )
    return rows
