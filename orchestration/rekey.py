"""The pseudonymisation key's fingerprint, and the deliberate re-key (returns.md, "Identifiers that must never
reach the warehouse").

Every person_key in the working warehouse is an HMAC under WF_PSEUDO_KEY, so rows written under two keys make
every person a stranger to their own history (each becomes a new joiner). The warehouse therefore remembers a
fingerprint of the key it was built with, HMAC-SHA256(key, FINGERPRINT_LABEL): it identifies the key without
revealing it (an HMAC is not reversible, and the label is a domain no identifier is hashed under). A refresh
under another key refuses before it reads anything.

`python -m orchestration.refresh --rekey` changes the key deliberately: the working warehouse is moved aside
(`<warehouse>.before-rekey-<UTC stamp>`, the way back), a new one is started holding the old audit trail in
schema `audit_rekeyed` (every audit table of the old file, each row tagged with the re-key it came through) and
the new fingerprint, and the refresh then rebuilds everything from the landing folder under the new key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ingestion.schema import ensure_schema
from orchestration.resources import Settings, SettingsError

FINGERPRINT_LABEL = b"wf-pseudo-key-fingerprint|v1"
ARCHIVE_SCHEMA = "audit_rekeyed"
KEY_DDL = """
create schema if not exists audit;
create table if not exists audit.key_fingerprint (
    fingerprint varchar not null,
    recorded_at timestamp not null,
    reason varchar not null
);
"""


class KeyMismatchError(SettingsError):
    """WF_PSEUDO_KEY is not the key the working warehouse was built with."""


def key_fingerprint(key: bytes) -> str:
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def recorded_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the key the warehouse holds now (the last one recorded), or None."""
    found = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'audit' and table_name = 'key_fingerprint'"
    ).fetchone()[0]
    if not found:
        return None
    row = con.execute("select fingerprint from audit.key_fingerprint order by recorded_at desc limit 1").fetchone()
    return row[0] if row else None


def record_fingerprint(con: duckdb.DuckDBPyConnection, key: bytes, reason: str) -> None:
    con.execute(KEY_DDL)
    con.execute(
        "insert into audit.key_fingerprint values (?, ?, ?)",
        [key_fingerprint(key), dt.datetime.now(dt.UTC).replace(tzinfo=None), reason],
    )


def mismatch_message(settings: Settings) -> str:
    return (
        f"WF_PSEUDO_KEY is not the key the working warehouse {settings.warehouse} was built with (its key "
        "fingerprint differs), and mixing two keys would make every person a new joiner. Nothing was read or "
        "changed. Either set WF_PSEUDO_KEY back to the key in use, or change the key deliberately with "
        "`python -m orchestration.refresh --rekey`, which rebuilds the warehouse from the landing folder under "
        "the new key (README, 'Changing the pseudonymisation key')."
    )


def key_matches(settings: Settings) -> bool | None:
    """True/False when the warehouse has a fingerprint to compare with; None when it has none yet."""
    if not settings.warehouse.exists():
        return None
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        recorded = recorded_fingerprint(con)
    return None if recorded is None else hmac.compare_digest(recorded, key_fingerprint(settings.pseudo_key))


def check_key(settings: Settings) -> None:
    """Refuse a key the warehouse was not built with; record the key of a warehouse that has none yet (a new
    one, or one built before fingerprints existed). Call it holding the refresh lock, before anything reads."""
    matches = key_matches(settings)
    if matches is False:
        raise KeyMismatchError(mismatch_message(settings))
    if matches is None:
        settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(settings.warehouse)) as con:
            ensure_schema(con)  # a new warehouse has its audit tables from the start, as readers expect
            record_fingerprint(con, settings.pseudo_key, "first refresh under this key")


@dataclass(frozen=True)
class Rekey:
    previous: Path  # the old working warehouse, moved aside
    archived: dict[str, int]  # audit table -> rows carried into audit_rekeyed


def prepare_rekey(settings: Settings) -> Rekey | None:
    """Move the working warehouse aside and start a new one with the old audit trail and the new key's
    fingerprint; the refresh that follows rebuilds the rest from the landing folder. None when the warehouse
    already uses this key (or does not exist): nothing to re-key. Call it holding the refresh lock."""
    if key_matches(settings) is not False:
        return None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    previous = settings.warehouse.with_name(f"{settings.warehouse.name}.before-rekey-{stamp}")
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("checkpoint")  # fold any write-ahead log into the file before it moves
    # The new file is made whole under another name, then both are renamed: a crash leaves either the old
    # warehouse in place (and the old key still required) or the new one with its fingerprint.
    building = settings.warehouse.with_name(f"{settings.warehouse.name}.rekey-building")
    building.unlink(missing_ok=True)
    with duckdb.connect(str(building)) as con:
        con.execute(f"attach '{_literal(settings.warehouse)}' as previous (read_only)")
        archived = _archive_audit(con, stamp)
        con.execute("detach previous")
        record_fingerprint(con, settings.pseudo_key, f"re-key {stamp}: rebuilt from the landing folder")
    os.replace(settings.warehouse, previous)
    os.replace(building, settings.warehouse)
    return Rekey(previous, archived)


def previous_warehouses(settings: Settings) -> list[Path]:
    """Warehouses moved aside by re-keys, oldest first."""
    return sorted(settings.warehouse.parent.glob(f"{settings.warehouse.name}.before-rekey-*"))


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")


def _archive_audit(con: duckdb.DuckDBPyConnection, stamp: str) -> dict[str, int]:
    """Every audit table of the previous warehouse into audit_rekeyed.<table>, tagged with this re-key;
    what earlier re-keys archived comes along as it was. The key fingerprints carry over into audit too,
    so audit.key_fingerprint lists every key the warehouse has had."""
    con.execute(f"create schema {ARCHIVE_SCHEMA}")
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'previous' "
        "and schema_name in ('audit', ?) order by all",
        [ARCHIVE_SCHEMA],
    ).fetchall()
    archived: dict[str, int] = {}
    for schema, table in tables:
        source = f'previous."{schema}"."{table}"'
        columns = "*" if schema == ARCHIVE_SCHEMA else f"*, '{stamp}' as rekey"
        target = f'{ARCHIVE_SCHEMA}."{table}"'
        exists = con.execute(
            "select count(*) from duckdb_tables() where database_name = current_database() "
            "and schema_name = ? and table_name = ?",
            [ARCHIVE_SCHEMA, table],
        ).fetchone()[0]
        if exists:
            con.execute(f"insert into {target} by name select {columns} from {source}")
        else:
            con.execute(f"create table {target} as select {columns} from {source}")
        archived[table] = archived.get(table, 0) + con.execute(f"select count(*) from {source}").fetchone()[0]
    con.execute(KEY_DDL)
    con.execute("insert into audit.key_fingerprint select * from previous.audit.key_fingerprint")
    return archived
