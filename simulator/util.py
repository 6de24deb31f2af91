"""Small vectorised helpers: month arithmetic, day numbers, formatting."""

from __future__ import annotations

import numpy as np

BIG = np.int32(2**31 - 1)  # "no end date"


def month_list(first: str, n: int) -> list[str]:
    start = np.datetime64(first, "M")
    return [str(start + i) for i in range(n)]


def month_start_day(ym: str) -> int:
    return int(np.datetime64(ym, "M").astype("datetime64[D]").astype(np.int64))


def month_end_day(ym: str) -> int:
    return int((np.datetime64(ym, "M") + 1).astype("datetime64[D]").astype(np.int64)) - 1


def add_months(ym: str, k: int) -> str:
    return str(np.datetime64(ym, "M") + k)


def day_str(days: np.ndarray) -> np.ndarray:
    """Day numbers (days since 1970-01-01) -> 'YYYY-MM-DD'; BIG or negative -> ''."""
    days = np.asarray(days, dtype=np.int64)
    ok = (days >= 0) & (days < int(BIG))
    out = np.full(days.shape, "", dtype=object)
    if ok.any():
        out[ok] = np.datetime_as_string(days[ok].astype("datetime64[D]"), unit="D").astype(object)
    return out


def date_to_day(s: str) -> int:
    return int(np.datetime64(s, "D").astype(np.int64))


def plus_12_months(days: np.ndarray) -> np.ndarray:
    """Calendar `date + 12 months` (29 Feb -> 28 Feb), as day numbers."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    dom = (d - m.astype("datetime64[D]")).astype(np.int64)  # 0-based day of month
    m2 = m + 12
    last = ((m2 + 1).astype("datetime64[D]") - m2.astype("datetime64[D]")).astype(np.int64) - 1
    return (m2.astype("datetime64[D]").astype(np.int64) + np.minimum(dom, last)).astype(np.int64)


def _hundredths_text(v: int) -> str:
    return f"{v // 100}.{v % 100:02d}".rstrip("0").rstrip(".")


_FTE_TEXT = np.array([_hundredths_text(v) for v in range(0, 301)], dtype=object)


def fmt_hundredths(v: np.ndarray) -> np.ndarray:
    """Integer hundredths (0..300) -> shortest decimal text ('1', '0.8', '0.53')."""
    return _FTE_TEXT[np.asarray(v, dtype=np.int64)]


def fmt_fixed(x: np.ndarray, nd: int = 2) -> np.ndarray:
    """Floats -> fixed decimals text; NaN -> ''."""
    x = np.asarray(x, dtype=float)
    out = np.full(x.shape, "", dtype=object)
    ok = ~np.isnan(x)
    if ok.any():
        out[ok] = np.char.mod(f"%.{nd}f", x[ok]).astype(object)
    return out


def age_band(age: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(np.array([25, 35, 45, 55, 65]), age, side="right")
    return idx


def unique(a, return_index: bool = False, return_inverse: bool = False, return_counts: bool = False):
    """`numpy.unique` by a stable sort (numpy 2's hash-based unique is slow on large int64 arrays);
    same results: sorted values, first indexes, inverse and counts."""
    a = np.asarray(a)
    order = np.argsort(a, kind="stable")
    s = a[order]
    flag = np.ones(len(s), bool)
    if len(s) > 1:
        flag[1:] = s[1:] != s[:-1]
    out = [s[flag]]
    if return_index:
        out.append(order[flag])
    if return_inverse:
        inv = np.empty(len(a), np.intp)
        inv[order] = np.cumsum(flag) - 1
        out.append(inv)
    if return_counts:
        idx = np.flatnonzero(flag)
        out.append(np.diff(np.r_[idx, len(s)]))
    return out[0] if len(out) == 1 else tuple(out)


def isin(a, b) -> np.ndarray:
    """`numpy.isin` by sorting and binary search."""
    a = np.asarray(a)
    b = np.sort(np.asarray(b))
    if b.size == 0 or a.size == 0:
        return np.zeros(a.shape, bool)
    pos = np.minimum(np.searchsorted(b, a), len(b) - 1)
    return b[pos] == a
