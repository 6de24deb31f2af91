"""notebooks/vacancy_demand.ipynb on the demo marts: the heat table shows suppressed cells as 'suppressed' (never
0), and the map of vacancy rate by place is drawn from <landing>/boundaries/*.geojson where the user has put
one (a tiny hand-written file here), and left out without it."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import PROJECT_ROOT


def square(x: float, y: float, size: float = 1.0) -> list:
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


BOUNDARIES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"LAD23CD": "E06000016"},
            "geometry": {"type": "Polygon", "coordinates": square(0, 0)},
        },
        {
            "type": "Feature",
            "properties": {"CTYUA23CD": "E10000018", "name": "Leicestershire"},
            "geometry": {"type": "MultiPolygon", "coordinates": [square(1, 0, 2), square(0, 1)]},
        },
        {
            "type": "Feature",
            "properties": {"code": "E06000017"},
            "geometry": {"type": "Polygon", "coordinates": square(3, 0)},
        },
        {
            "type": "Feature",
            "properties": {"code": "E99999999"},
            "geometry": {"type": "Polygon", "coordinates": square(4, 0)},
        },
    ],
}


def run(demo, landing, monkeypatch) -> list:
    monkeypatch.setenv("WF_MARTS", str(demo.marts))
    monkeypatch.setenv("WF_LANDING_DIR", str(landing))
    notebook = nbformat.read(PROJECT_ROOT / "notebooks" / "vacancy_demand.ipynb", as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(PROJECT_ROOT)}}
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    return outputs


@pytest.mark.parametrize("with_boundaries", [True, False])
def test_heat_table_and_map_where_boundaries_are_given(demo, tmp_path, monkeypatch, with_boundaries):
    if with_boundaries:
        (tmp_path / "boundaries").mkdir()
        (tmp_path / "boundaries" / "llr.geojson").write_text(json.dumps(BOUNDARIES), encoding="utf-8")
    outputs = run(demo, tmp_path, monkeypatch)
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    tables = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    plots = [o for o in outputs if "image/png" in o.get("data", {})]
    assert "suppressed" in tables and " %" in tables  # the heat table: percentages, suppressed cells named
    if with_boundaries:
        assert len(plots) == 2  # the trend of the top ten and the map
        mapped = text.split("Mapped:", 1)[1]
        for place in ("Leicester City", "Leicestershire", "Rutland"):
            assert f"{place}: " in mapped, mapped
        assert "not a register place: no data" in mapped
    else:
        assert len(plots) == 1 and "No boundaries in" in text
