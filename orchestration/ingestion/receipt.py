"""A landed file as one refresh takes it in: its problems, its pseudonymised tables and its status. Shared by
the loader (load.py) and the checks it runs (checks.py, quality/gate.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from orchestration.ingestion.landing import LandedFile
from orchestration.ingestion.readers import Problem


@dataclass
class Receipt:
    """One landed file taken in by this refresh."""

    file: LandedFile
    sha256: str
    load_id: int
    problems: list[Problem] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # pseudonymised text, by raw table
    size: int = 0  # bytes of the landed file
    row_count: int | None = None  # rows of the main table; kept after the frames are freed

    @property
    def rejected(self) -> bool:
        return any(p.severity == "ERROR" for p in self.problems)

    @property
    def status(self) -> str:
        if self.rejected:
            return "quarantined"
        return "accepted with warnings" if self.problems else "accepted"

    @property
    def rows(self) -> int | None:
        main = self.tables.get(self.file.source)
        return self.row_count if main is None else len(main)
