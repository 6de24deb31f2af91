"""Publish the marts: copy them into a new DuckDB file beside WF_MARTS, close it, check it, then os.replace
it onto WF_MARTS. A reader sees the previous complete file or the new complete one, never a mix (an open
connection keeps the version it opened), and a refresh that fails or is killed at any point leaves the
previous file in place. Dated copies of the last WF_KEEP_PUBLISHED versions are kept beside it.

Crash safety, step by step (the refresh lock guarantees one publisher at a time):
1. leftovers of a killed publication (`.<name>.<pid>.building[.wal]`, `*.partial`, staged parquet) go;
2. the new version is built under `.<name>.<pid>.building`, checkpointed and closed (no `.wal` is left),
   reopened read-only and compared with what was written, then fsynced;
3. its dated copy is written whole as `<stem>.<stamp>Z<suffix>.partial` and its parquet copy whole in
   `.<name>_parquet.<pid>.building/`: a full disk or any other failure up to here publishes nothing, and the
   error names the step;
4. `os.replace` swaps it in (atomic on one file system) and the folder is fsynced;
5. only renames remain (no new space needed): the dated copy to its name, each parquet file into
   `<stem>_parquet/`. A version whose dated copy was lost to a crash between 4 and 5 gets it at the next
   publication, its parquet copy with the next version. `published_set` reads what is published from the
   files themselves, so the refresh's closing message is true whatever failed.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.boardpack import build_board_pack, copy_pack, pack_path, remove_pack
from orchestration.disclosure import apply_secondary_suppression
from orchestration.parquet_export import (
    mart_sources,
    published_parquet_dir,
    published_parquet_refresh_id,
    stage_published,
    swap_in_published,
)
from orchestration.resources import Settings, limit_memory

PUBLISHED_SCHEMA = "marts"
REFRESH_LOG_DDL = """create table refresh_log (refresh_id varchar, started timestamp, finished timestamp,
    returns_used bigint, returns_quarantined bigint, code_version varchar)"""


class PublishError(RuntimeError):
    """The new version could not be built or failed its own check; the previous file stays published."""


@dataclass(frozen=True)
class Publication:
    path: Path
    tables: dict[str, int]
    dated_copy: Path | None
    board_pack: str = ""  # what the board pack step built, or why it failed (the marts stay published)


def _quote(path: Path) -> str:
    """A path as a SQL string literal (ATTACH takes no parameters): quotes doubled, nothing else special."""
    return "'" + str(path).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def build_published_file(settings: Settings, target: Path, refresh_log: dict) -> dict[str, int]:
    """Copy every table of the warehouse's marts schema into target (schema main); return row counts."""
    _remove(target)
    con = limit_memory(duckdb.connect(str(target)), settings.duckdb_memory_limit)
    try:
        con.execute(f"attach {_quote(settings.warehouse)} as warehouse (read_only)")
        # Where each table comes from depends on the engine that built the marts (orchestration/parquet_export.py):
        # the warehouse's marts schema (DuckDB) or the parquet files dbt wrote (Spark).
        sources = mart_sources(con, settings.engine, settings.warehouse_dir, PUBLISHED_SCHEMA)
        tables = sorted(sources)
        if not tables:
            raise PublishError(f"the warehouse {settings.warehouse} has no tables in schema {PUBLISHED_SCHEMA}")
        counts = {}
        for table in tables:
            con.execute(f"create table main.{_ident(table)} as select * from {sources[table]}")
            counts[table] = con.execute(f"select count(*) from main.{_ident(table)}").fetchone()[0]
        con.execute("detach warehouse")
        apply_secondary_suppression(con)  # metrics.md: no suppressed count recoverable by subtraction
        con.execute(REFRESH_LOG_DDL)
        con.execute(
            "insert into refresh_log values ($refresh_id, $started, $finished, $returns_used, "
            "$returns_quarantined, $code_version)",
            refresh_log,
        )
        con.execute("checkpoint")
    finally:
        con.close()
    return counts


def verify_published_file(path: Path, counts: dict[str, int], refresh_id: str) -> None:
    """Reopen the built file read-only: every table with the rows written, one refresh_log row, no WAL."""
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        raise PublishError(f"{path.name} left a write-ahead log behind; it was not closed cleanly")
    with duckdb.connect(str(path), read_only=True) as con:
        found = {
            table: con.execute(f"select count(*) from main.{_ident(table)}").fetchone()[0]
            for (table,) in con.execute(
                "select table_name from duckdb_tables() where table_name <> 'refresh_log'"
            ).fetchall()
        }
        log = con.execute("select refresh_id from refresh_log").fetchall()
    if found != counts:
        raise PublishError(f"{path.name} does not hold what was written: {found} against {counts}")
    if log != [(refresh_id,)]:
        raise PublishError(f"{path.name} refresh_log is {log}, not one row for refresh {refresh_id}")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)


def _building_files(settings: Settings) -> list[Path]:
    folder = settings.marts.parent
    return (
        sorted(folder.glob(f".{settings.marts.name}.*.building*"))
        + sorted(folder.glob(f"{settings.marts.stem}.*.partial"))
        + sorted(folder.glob(f".{published_parquet_dir(settings.marts).name}.*.building"))
    )


def remove_leftovers(settings: Settings) -> list[Path]:
    """Files a killed publication left behind. Only the refresh that holds the lock publishes, so none of
    them belongs to a live publication."""
    leftovers = _building_files(settings)
    for path in leftovers:
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    return leftovers


def dated_copies(settings: Settings) -> list[Path]:
    """The dated copies beside WF_MARTS, oldest first (the stamp sorts as text)."""
    return sorted(settings.marts.parent.glob(f"{settings.marts.stem}.*Z{settings.marts.suffix}"))


def _refresh_id(path: Path) -> str | None:
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute("select max(refresh_id) from refresh_log").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None


def published_refresh_id(settings: Settings) -> str | None:
    """The refresh whose file (and parquet copy) is published at WF_MARTS; None when there is none, it cannot
    be read, or the parquet copy holds another version (a publication killed after its swap)."""
    refresh_id = _refresh_id(settings.marts) if settings.marts.exists() else None
    return refresh_id if refresh_id and published_parquet_refresh_id(settings.marts) == refresh_id else None


def stage_dated_copy(settings: Settings, source: Path) -> tuple[Path, Path]:
    """Copy source to `<stem>.<UTC stamp>Z<suffix>.partial`, fsynced: (the partial file, its dated name). Renaming
    it to the dated name needs no new space, so a copy staged before the swap is sure to be completed after."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    dated = settings.marts.with_name(f"{settings.marts.stem}.{stamp}{settings.marts.suffix}")
    partial = dated.with_name(dated.name + ".partial")
    try:
        shutil.copyfile(source, partial)
        _fsync(partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return partial, dated


def make_dated_copy(settings: Settings, source: Path) -> Path:
    """Copy source to <stem>.<UTC stamp>Z<suffix>, through a .partial file so a copy is always whole."""
    partial, dated = stage_dated_copy(settings, source)
    os.replace(partial, dated)
    return dated


def backfill_dated_copy(settings: Settings) -> Path | None:
    """The published version was swapped in but its dated copy was lost to a crash: copy it now."""
    if settings.keep_published <= 0 or not settings.marts.exists():
        return None
    current = _refresh_id(settings.marts)
    copies = dated_copies(settings)
    if current is None or (copies and _refresh_id(copies[-1]) == current):
        return None
    return make_dated_copy(settings, settings.marts)


def publish(settings: Settings, refresh_log: dict) -> Publication:
    """Everything the publication writes (the new file, its dated copy, its parquet copy) is written before the
    swap; after it only renames remain, which need no space. Any failure before the swap publishes nothing and
    says which step failed; the previous version, its dated copy and its parquet copy stay as they were."""
    settings.marts.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(settings)
    temporary = settings.marts.with_name(f".{settings.marts.name}.{os.getpid()}.building")
    step, partial = "catching up the dated copy of the version in place", None
    try:
        backfill_dated_copy(settings)
        step = "building the new file"
        counts = build_published_file(settings, temporary, refresh_log)
        verify_published_file(temporary, counts, refresh_log["refresh_id"])
        _fsync(temporary)
        if settings.keep_published > 0:
            step = "writing its dated copy"
            partial, dated = stage_dated_copy(settings, temporary)
        step = "writing its parquet copy"  # the same tables as parquet files (orchestration/parquet_export.py)
        staged = stage_published(temporary, settings.marts, settings.duckdb_memory_limit)
        step = "swapping it in"
        swap_in(temporary, settings.marts)
    except (OSError, duckdb.Error, PublishError) as error:
        remove_leftovers(settings)
        raise PublishError(
            f"{step} failed ({error}); nothing was published: {settings.marts} still holds "
            f"{_version_of(settings.marts)}, with its dated and parquet copies unchanged"
        ) from error
    finally:
        _remove(temporary)
    # Published. What remains are renames, and a crash here is caught up by the next publication.
    if partial is not None:
        os.replace(partial, dated)
    swap_in_published(staged, settings.marts)
    prune_dated_copies(settings)
    _fsync(settings.marts.parent)
    pack = publish_board_pack(settings, dated if partial is not None else None)
    return Publication(settings.marts, counts, dated if partial is not None else None, pack)


def publish_board_pack(settings: Settings, dated: Path | None) -> str:
    """The board pack of the version just published, beside it and its dated copy (orchestration/boardpack).
    A pack that cannot be built unpublishes nothing: what happened is kept in `<stem>.board_pack.txt` (refresh
    id, then the outcome), which the summary reports (published_set)."""
    refresh_id = _refresh_id(settings.marts)
    try:
        pack = build_board_pack(
            settings.marts,
            pack_path(settings.marts),
            pdf=settings.board_pack_pdf,
            memory_limit=settings.duckdb_memory_limit,
        )
        if dated is not None:
            copy_pack(pack, dated)
        outcome = f"{pack.html}" + (f" and {pack.pdf.name}" if pack.pdf else "") + f" ({pack.note})"
    except Exception as failure:  # whatever broke the pack, the marts stay published
        remove_pack(settings.marts)
        outcome = f"NOT BUILT, the marts are published all the same ({type(failure).__name__}: {failure})"
    board_pack_status(settings.marts).write_text(f"{refresh_id}\n{outcome}\n", encoding="utf-8")
    return outcome


def board_pack_status(marts: Path) -> Path:
    return marts.with_name(f"{marts.stem}.board_pack.txt")


def _version_of(path: Path) -> str:
    refresh_id = _refresh_id(path) if path.exists() else None
    return f"the version of refresh {refresh_id}" if refresh_id else "no version (nothing was ever published)"


def published_set(settings: Settings, refresh_id: str) -> list[str]:
    """What the published set holds for refresh_id, read from the files themselves (so a message built from it
    is true whatever failed, and wherever): the file, its newest dated copy, the parquet copy."""
    if _refresh_id(settings.marts) != refresh_id:
        return [f"Nothing published: {settings.marts} still holds {_version_of(settings.marts)}."]
    copies = dated_copies(settings)
    lines = [f"Published {settings.marts} (refresh {refresh_id})."]
    if settings.keep_published > 0:
        has_copy = bool(copies) and _refresh_id(copies[-1]) == refresh_id
        lines.append(
            f"  dated copy: {copies[-1].name}" if has_copy else "  dated copy: MISSING (the next publication writes it)"
        )
    parquet = published_parquet_refresh_id(settings.marts)
    folder = published_parquet_dir(settings.marts)
    lines.append(
        f"  parquet copy: {folder}"
        if parquet == refresh_id
        else f"  parquet copy: STALE ({folder} holds refresh {parquet}; the next publication replaces it)"
    )
    lines.append(f"  board pack: {board_pack_line(settings, refresh_id)}")
    return lines


def board_pack_line(settings: Settings, refresh_id: str) -> str:
    """The board pack of refresh_id as its status file says, or MISSING when none was built for it."""
    status = board_pack_status(settings.marts)
    built_for, _, outcome = status.read_text(encoding="utf-8").partition("\n") if status.exists() else ("", "", "")
    return outcome.strip() if built_for == refresh_id else "MISSING (the next publication builds it)"


def swap_in(built: Path, published: Path) -> None:
    """The one step readers can observe: an atomic rename of a complete, closed file."""
    os.replace(built, published)
    _fsync(published.parent)


def prune_dated_copies(settings: Settings) -> list[Path]:
    copies = dated_copies(settings)
    stale = copies[: max(0, len(copies) - max(0, settings.keep_published))]
    for path in stale:
        path.unlink()
        remove_pack(path)
    return stale
