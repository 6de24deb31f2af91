"""Settings and the DuckDB warehouse connection: every path comes from a WF_* environment variable."""

from __future__ import annotations

import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, InitResourceContext

from orchestration.ingestion.landing import EARLIEST_PERIOD, MONTH

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEMO_PSEUDO_KEY = "demo-key-not-for-real-data"


class SettingsError(RuntimeError):
    """A setting is missing or unsafe; the message says which and why."""


def coverage_threshold() -> float:
    """The share of expected partners below which a figure is provisional: the dbt var coverage_threshold
    (dbt_project.yml), the one place it is set; the board pack and the notebooks mark points with it too."""
    import yaml

    with open(PROJECT_ROOT / "dbt_project" / "dbt_project.yml", encoding="utf-8") as handle:
        return float(yaml.safe_load(handle)["vars"]["coverage_threshold"])


# DuckDB's memory_limit for the refresh's connections and dbt's (profiles.yml has the same default): beyond it
# joins, sorts, windows and aggregates spill to <database>.tmp instead of growing. DuckDB's own default, 80% of
# the RAM, leaves too little for the refresh's Python on a shared machine. Measured 2026-12-07 (issue #25): at
# ics a whole `dbt build` takes 59 s and 4.5 GB with 50% of 24 GB, 57 s and 3.2 GB with 3GB; but at region 3GB
# is not enough: two nodes built side by side (int_workforce_monthly and int_profile_people's uniqueness test)
# failed with DuckDB's Out of Memory error. So 50% stays the default; 3GB suits a small machine at ics scale.
DUCKDB_MEMORY_LIMIT = "50%"


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse: Path
    marts: Path
    pseudo_key: bytes
    ics_code: str
    engine: str
    environment: str
    keep_published: int
    retention_years: int
    settle_seconds: float = 60.0  # WF_SETTLE_SECONDS: a landed file is taken in once unchanged this long
    earliest_period: str = EARLIEST_PERIOD  # WF_EARLIEST_PERIOD: an earlier period folder is quarantined
    max_file_mb: float = 1024  # WF_MAX_FILE_MB: a larger landed file is quarantined unread
    max_unpacked_mb: float = 256  # WF_MAX_UNPACKED_MB: a workbook unpacking to more is quarantined unparsed
    board_pack_pdf: bool = True  # WF_BOARD_PACK_PDF=0: the board pack is built as HTML only (no Chromium run)
    docs_url: str = "http://127.0.0.1:3001"  # WF_DOCS_URL: where `make ui` serves <warehouse dir>/docs (docs_server)
    duckdb_memory_limit: str = DUCKDB_MEMORY_LIMIT  # WF_DUCKDB_MEMORY_LIMIT: beyond it DuckDB spills to disk

    @property
    def uses_demo_key(self) -> bool:
        return self.pseudo_key == DEMO_PSEUDO_KEY.encode()

    @property
    def warehouse_dir(self) -> Path:
        return self.warehouse.parent

    @property
    def lock_path(self) -> Path:
        return self.warehouse.with_name(self.warehouse.name + ".lock")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)

        def path(name: str, default: str) -> Path:
            value = Path(env.get(name) or default)
            return value if value.is_absolute() else (PROJECT_ROOT / value)

        engine = env.get("WF_ENGINE", "duckdb")
        if engine not in ("duckdb", "spark"):
            raise SettingsError(f"WF_ENGINE must be 'duckdb' or 'spark', not {engine!r}")
        return cls(
            landing_dir=path("WF_LANDING_DIR", "seeds/returns"),
            warehouse=path("WF_WAREHOUSE", "warehouse/warehouse.duckdb"),
            marts=path("WF_MARTS", "warehouse/marts.duckdb"),
            pseudo_key=(env.get("WF_PSEUDO_KEY") or DEMO_PSEUDO_KEY).encode(),
            ics_code=env.get("WF_ICS_CODE", "QK1"),
            docs_url=(env.get("WF_DOCS_URL") or "http://127.0.0.1:3001").rstrip("/"),
            engine=engine,
            environment=env.get("WF_ENV", "development"),
            keep_published=int(env.get("WF_KEEP_PUBLISHED", "12")),
            board_pack_pdf=env.get("WF_BOARD_PACK_PDF", "1") != "0",
            retention_years=int(env.get("WF_RETENTION_YEARS", "7")),
            duckdb_memory_limit=_memory_limit(env["WF_DUCKDB_MEMORY_LIMIT"])
            if env.get("WF_DUCKDB_MEMORY_LIMIT")
            else DUCKDB_MEMORY_LIMIT,
            **_landing_settings(env, path("WF_LANDING_DIR", "seeds/returns")),
        )

    def check_safe(self) -> None:
        """Refuse the demo pseudonymisation key in production; warn loudly elsewhere."""
        if self.uses_demo_key and self.environment == "production":
            raise SettingsError("WF_PSEUDO_KEY is unset (or the demo key) while WF_ENV=production: set a secret key")
        if self.uses_demo_key:
            print(
                "WARNING: WF_PSEUDO_KEY is not set; pseudonymising with the fixed DEMO key. "
                "Never load real returns without a secret key.",
                file=sys.stderr,
            )


def _number(env: dict[str, str], name: str, default: str, positive: bool, unit: str) -> float:
    """A numeric WF_* setting: >= 0, or > 0 when positive; anything else stops the refresh naming the variable."""
    text = env.get(name) or default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0 or (positive and value == 0):
        raise SettingsError(
            f"{name} must be a number of {unit} {'greater than' if positive else 'of at least'} 0, not {text!r}"
        )
    return value


def _landing_settings(env: dict[str, str], landing_dir: Path) -> dict:
    """WF_SETTLE_SECONDS (default 60; 0 for the sample returns shipped in seeds/returns, which are part of the
    checkout: a fresh clone gives every file the clone's time, and nobody copies into them), WF_EARLIEST_PERIOD
    (default 2015-01), WF_MAX_FILE_MB (1024) and WF_MAX_UNPACKED_MB (256)."""
    shipped = landing_dir.resolve() == (PROJECT_ROOT / "seeds" / "returns").resolve()
    earliest = env.get("WF_EARLIEST_PERIOD") or EARLIEST_PERIOD
    if not MONTH.match(earliest):
        raise SettingsError(f"WF_EARLIEST_PERIOD must be a month as YYYY-MM, not {earliest!r}")
    return {
        "settle_seconds": _number(env, "WF_SETTLE_SECONDS", "0" if shipped else "60", False, "seconds"),
        "earliest_period": earliest,
        "max_file_mb": _number(env, "WF_MAX_FILE_MB", "1024", True, "megabytes"),
        "max_unpacked_mb": _number(env, "WF_MAX_UNPACKED_MB", "256", True, "megabytes"),
    }


def _memory_limit(value: str) -> str:
    """WF_DUCKDB_MEMORY_LIMIT as DuckDB reads it ('4GB', '2500MB', '50%'), refused here if DuckDB would refuse it."""
    try:
        with duckdb.connect() as con:
            con.execute(f"set memory_limit = '{value}'")
    except (duckdb.Error, ValueError) as error:
        raise SettingsError(
            f"WF_DUCKDB_MEMORY_LIMIT {value!r} is not a DuckDB memory limit ({error}); expected e.g. 4GB or 2500MB"
        ) from None
    return value


def limit_memory(con: duckdb.DuckDBPyConnection, limit: str) -> duckdb.DuckDBPyConnection:
    """A SET, not a connect option: every connection of the process to the file then shares one configuration.
    Every connection of a refresh that reads whole tables takes WF_DUCKDB_MEMORY_LIMIT (Settings.duckdb_memory_limit),
    read-only ones too (the parquet copy, the board pack): DuckDB's own default is 80% of the RAM."""
    con.execute(f"set memory_limit = '{limit}'")
    return con


def connect_warehouse(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    return limit_memory(duckdb.connect(str(settings.warehouse), read_only=read_only), settings.duckdb_memory_limit)


class RefreshLockedError(RuntimeError):
    """Another refresh holds the warehouse."""


@contextmanager
def refresh_lock(settings: Settings, wait: bool = False) -> Iterator[None]:
    """One writer at a time: an OS lock beside WF_WAREHOUSE, released by the kernel even after kill -9."""
    settings.lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(settings.lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as error:
            raise RefreshLockedError(
                f"another refresh is running on {settings.warehouse} (lock {settings.lock_path}); "
                "this one did not start"
            ) from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class WarehouseResource(ConfigurableResource):
    """Settings for one run, from the environment, plus the run-level choices a data engineer can make.

    force_reload: sources or periods to parse again even if unchanged, as 'source', 'source:period' or
    '*:period' (e.g. ['nhs_pwr:2024-03']). The refresh lock is held for the whole run.
    rekey: rebuild the working warehouse under a new WF_PSEUDO_KEY (orchestration/rekey.py).
    """

    force_reload: list[str] = []  # noqa: RUF012 (pydantic copies defaults)
    wait_for_lock: bool = False
    rekey: bool = False

    def settings(self) -> Settings:
        return Settings.from_env()

    def is_forced(self, source: str, period: str) -> bool:
        for selector in self.force_reload:
            name, _, wanted_period = selector.partition(":")
            if name in (source, "*") and wanted_period in ("", period):
                return True
        return False

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[WarehouseResource]:
        settings = self.settings()
        settings.check_safe()
        with refresh_lock(settings, wait=self.wait_for_lock):
            # The key fingerprint (orchestration/rekey.py): refuse a different key before anything is read.
            from orchestration.rekey import check_key, prepare_rekey

            if self.rekey and (rekeyed := prepare_rekey(settings)) and context.log:
                context.log.info(f"re-key: the previous warehouse is kept at {rekeyed.previous}")
            check_key(settings)
            yield self
