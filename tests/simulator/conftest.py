"""Shared fixtures: the demo generated once per test session into a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.generate import generate

from .recompute import Landing


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "returns"
    generate("demo", 42, out)
    return out


@pytest.fixture(scope="session")
def demo_truth(demo_dir) -> dict:
    return json.loads((demo_dir / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_landing(demo_dir) -> Landing:
    return Landing(demo_dir)
