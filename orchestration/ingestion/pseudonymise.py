"""Keyed hashing of personal identifiers, done on the frame before anything is written to DuckDB.

person_key = HMAC-SHA256(WF_PSEUDO_KEY, the NI number normalised), the same in every source and
organisation, so a move between partners is seen. Normalised (returns.md, "Identifiers"): compatibility
forms folded (NFKC: full-width letters and digits), then only letters and digits kept, upper-cased, so
`ab 12 34 56 c`, `AB-123456-C` and one carrying a zero-width or non-breaking space are one person. One that
is not then two letters, six digits and an optional A-D is keyed as it stands (a WARN, checks.py).
Without an NI number the key is formed from the source family, organisation and local number, and never
matches across organisations (metrics.md).
Each distinct value is hashed once (factorize, then one HMAC per unique value, remembered for the rest of
the source's files), so hashing stays a small share of ingest time however many months a person appears in.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

import numpy as np
import pandas as pd

from orchestration.ingestion.sources import Column, Source

KEY_HEX_CHARS = 32  # 128 bits: collisions are negligible at national scale

# The organisation column and the local number that stand in for an empty NI number, per source family.
LOCAL_IDENTITY = {
    "nhs_esr_staff": ("nhs_esr", "org_code", "employee_number"),
    "nhs_esr_leavers": ("nhs_esr", "org_code", "employee_number"),
    "asc_wds_workers": ("asc_wds", "establishment_id", "worker_id"),
}


NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")  # \w is letters, digits and underscore (Unicode)
NI_SHAPE = re.compile(r"[A-Z]{2}[0-9]{6}[A-D]?")


def normalise_ni(value: str) -> str | None:
    """The NI number as hashed: NFKC-folded, letters and digits only, upper-cased; None when nothing is left."""
    kept = NOT_LETTER_OR_DIGIT.sub("", unicodedata.normalize("NFKC", value)).upper()
    return kept or None


def normalised_ni(values: pd.Series) -> pd.Series:
    """normalise_ni over a column, once per distinct value (a person is on many rows)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    normalised = np.array([normalise_ni(u) for u in uniques] + [None], dtype=object)
    return pd.Series(normalised[codes], index=values.index, dtype=object)


def key_column(name: str) -> str:
    """ni_number -> person_key, assignment_number -> assignment_key, worker_id -> worker_key."""
    if name == "ni_number":
        return "person_key"
    return name.removesuffix("_number").removesuffix("_id") + "_key"


def _hash_values(values: pd.Series, secret: bytes, domain: str, cache: dict | None = None) -> pd.Series:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    # The key schedule is done once per domain: copying a keyed HMAC is cheaper than keying one per value.
    keyed = hmac.new(secret, f"{domain}|".encode(), hashlib.sha256)
    known = {} if cache is None else cache.setdefault(domain, {})

    def digest(value: str) -> str:
        key = known.get(value)
        if key is None:
            h = keyed.copy()
            h.update(value.encode())
            key = known[value] = h.hexdigest()[:KEY_HEX_CHARS]
        return key

    digests = np.array([digest(u) for u in uniques], dtype=object)
    out = np.full(len(values), None, dtype=object)
    present = codes >= 0
    out[present] = digests[codes[present]]
    return pd.Series(out, index=values.index, dtype=object)


def _clean(series: pd.Series) -> pd.Series:
    """Trimmed text with empty cells as None."""
    text = series.astype("string").str.strip()
    return text.astype(object).where(text.notna() & (text != ""), None)


def _keys(frame: pd.DataFrame, column: Column, source: Source, secret: bytes, cache: dict | None) -> pd.Series:
    family, org_column, local_column = LOCAL_IDENTITY.get(source.name, (source.name, None, None))
    values = _clean(frame[column.name])
    if column.personal == "ni_number":
        ni = normalised_ni(values)
        keys = _hash_values(ni, secret, "ni", cache)
        if org_column and local_column:
            local_number = _clean(frame[local_column])
            local = (family + "|" + _clean(frame[org_column]).fillna("") + "|" + local_number.fillna("")).where(
                local_number.notna(), None
            )
            keys = keys.where(keys.notna(), _hash_values(local, secret, "local", cache))
        return keys
    if org_column:
        values = (_clean(frame[org_column]).fillna("") + "|" + values).where(values.notna(), None)
    return _hash_values(values, secret, f"{family}|{column.name}", cache)


def pseudonymise(frame: pd.DataFrame, source: Source, secret: bytes, cache: dict | None = None) -> pd.DataFrame:
    """Replace every personal column of the source by its keyed hash; drop those marked drop.
    Keys are computed from the frame as received, so the order of columns does not matter. `cache` (one
    per ingestion, in memory only) keeps the keys already computed: a person is in every monthly file."""
    personal = [c for c in source.columns if c.personal and c.name in frame.columns]
    keys = {c.name: _keys(frame, c, source, secret, cache) for c in personal if c.personal != "drop"}
    out = frame.drop(columns=[c.name for c in personal])
    for column in personal:
        if column.name in keys:
            out.insert(frame.columns.get_loc(column.name), key_column(column.name), keys[column.name])
    return out
