"""End to end: the Dagster UI a workforce lead opens (`make ui`) shows what the code defines.

Starts the real `dagster-webserver` on a free port (DAGSTER_HOME in a temporary folder, telemetry off, its
own process group), opens the lineage of the assets in headless Chromium and compares what is drawn with
`orchestration.definitions.defs`; asks the GraphQL API for every asset key and asset check and compares
them with the code too. Needs Debian's `chromium` at /usr/bin/chromium and the `playwright` Python
package (its own browser download is never used).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dagster import AssetKey

CHROMIUM = Path("/usr/bin/chromium")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_LIMIT_S = 180  # loading the code location imports dagster-dbt and reads the manifest
RENDER_LIMIT_S = 60

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium)"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str, payload: dict | None = None) -> dict:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@dataclass
class Webserver:
    url: str
    log: Path

    def graphql(self, query: str) -> dict:
        answer = get_json(f"{self.url}/graphql", {"query": query})
        assert "errors" not in answer, answer["errors"]
        return answer["data"]


LOCATION_QUERY = "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus "
LOCATION_QUERY += "locationOrLoadError { __typename ... on PythonError { message } } } } } }"


def wait_until_served(server: Webserver, process: subprocess.Popen) -> None:
    """Wait for /server_info, then for the code location to be loaded (or fail with the server's log)."""
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dagster-webserver exited with {process.returncode}:\n{server.log.read_text()[-4000:]}")
        try:
            get_json(f"{server.url}/server_info")
            entries = server.graphql(LOCATION_QUERY)["workspaceOrError"]["locationEntries"]
        except (urllib.error.URLError, ConnectionError, TimeoutError, AssertionError):
            time.sleep(1)
            continue
        if entries and all(e["loadStatus"] == "LOADED" for e in entries):
            errors = [e for e in entries if e["locationOrLoadError"]["__typename"] == "PythonError"]
            assert not errors, f"the code location failed to load: {errors}"
            return
        time.sleep(1)
    pytest.fail(f"dagster-webserver did not serve within {STARTUP_LIMIT_S} s:\n{server.log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Iterator[Webserver]:
    root = tmp_path_factory.mktemp("dagster_ui")
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DBT_TARGET_PATH": str(dbt_manifest.parent),
        # the UI is only looked at here: nothing may touch the real warehouse even by accident
        "WF_WAREHOUSE": str(root / "warehouse" / "warehouse.duckdb"),
        "WF_MARTS": str(root / "warehouse" / "marts.duckdb"),
        "WF_LANDING_DIR": str(root / "landing"),
    }
    port = free_port()
    log = root / "webserver.log"
    executable = Path(sys.executable).with_name("dagster-webserver")
    with log.open("w") as out:
        # its own session and process group: SIGTERM to the group stops the server and its code server
        process = subprocess.Popen(
            [str(executable), "-m", "orchestration.definitions", "-h", "127.0.0.1", "-p", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = Webserver(f"http://127.0.0.1:{port}", log)
    try:
        wait_until_served(server, process)
        yield server
    finally:
        stop_process_group(process)


def stop_process_group(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def graph(dbt_manifest: Path):
    from orchestration.definitions import defs

    return defs.resolve_asset_graph()


@pytest.fixture(scope="module")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser_page(playwright, tmp_path_factory: pytest.TempPathFactory):
    """Headless Chromium with a new, empty profile per test: the UI remembers a graph's zoom in the
    profile, and a graph drawn at a remembered zoom leaves out the nodes outside the window."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium_profile")),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        headless=True,
        viewport={"width": 1920, "height": 1200},
    )
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


# --- reading the lineage graph the UI draws ---------------------------------------------------------------

NODE_NAMES = '[class*="AssetNode_assetName"]'


def open_page(page, url: str) -> None:
    page.goto(url)


def dismiss_community_dialog(page) -> None:
    """The UI's one-off 'join the community' dialog opens a moment after the page: close it if it shows."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    skip = page.get_by_role("button", name="Skip")
    try:
        skip.wait_for(state="visible", timeout=5000)
    except PlaywrightTimeout:
        return
    skip.click()
    skip.wait_for(state="hidden", timeout=5000)


def drawn_names(page, expected_count: int) -> list[str]:
    """The asset names drawn as graph nodes, once the expected number is rendered (or what is drawn when the
    render limit passes, so that the assertion shows the difference)."""
    nodes = page.locator(NODE_NAMES)
    deadline = time.monotonic() + RENDER_LIMIT_S
    while nodes.count() < expected_count and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    dismiss_community_dialog(page)  # also lets the layout settle, so that no late node is missed
    return [text.strip() for text in nodes.all_inner_texts()]


def label_matches(label: str, name: str) -> bool:
    """A zoomed-out node shortens long names in the middle ('stg…__staff_groups')."""
    if "…" not in label:
        return label == name
    head, _, tail = label.partition("…")
    return name.startswith(head) and name.endswith(tail) and len(name) >= len(head) + len(tail)


def assert_drawn_exactly(labels: list[str], keys: set[AssetKey], what: str) -> None:
    names = [key.path[-1] for key in keys]
    unmatched_labels = [label for label in labels if not any(label_matches(label, n) for n in names)]
    unmatched_names = [n for n in names if not any(label_matches(label, n) for label in labels)]
    assert not unmatched_labels and not unmatched_names and len(labels) == len(names), (
        f"{what}: drawn {sorted(labels)}, code has {sorted(names)}"
    )


def upstream_of(graph, key: AssetKey) -> tuple[set[AssetKey], int]:
    """Every ancestor of key and the longest path to one (the depth the UI must be asked for)."""
    depth: dict[AssetKey, int] = {key: 0}
    frontier = [key]
    while frontier:
        current = frontier.pop()
        for parent in graph.get(current).parent_keys:
            if depth.get(parent, -1) < depth[current] + 1:
                depth[parent] = depth[current] + 1
                frontier.append(parent)
    return set(depth) - {key}, max(depth.values())


def downstream_of(graph, key: AssetKey) -> tuple[set[AssetKey], int]:
    depth: dict[AssetKey, int] = {key: 0}
    frontier = [key]
    while frontier:
        current = frontier.pop()
        for child in graph.get(current).child_keys:
            if depth.get(child, -1) < depth[current] + 1:
                depth[child] = depth[current] + 1
                frontier.append(child)
    return set(depth) - {key}, max(depth.values())


def asset_url(server: Webserver, key: AssetKey, scope: str, depth: int) -> str:
    return f"{server.url}/assets/{'/'.join(key.path)}?view=lineage&lineageScope={scope}&lineageDepth={depth}"


MART = AssetKey(["marts", "mart_vacancy"])
STAGING = AssetKey(["staging", "stg_nhs_pwr__staff_groups"])
RAW = AssetKey(["raw", "nhs_pwr"])
PUBLISHED = AssetKey(["published", "marts"])


# --- the tests ---------------------------------------------------------------------------------------------


def test_lineage_of_mart_vacancy_shows_its_neighbours(webserver, graph, browser_page, screenshots):
    """The lineage tab of mart_vacancy draws its parents (dbt models) and its child (published/marts)."""
    node = graph.get(MART)
    neighbours = set(node.parent_keys) | set(node.child_keys)
    assert PUBLISHED in node.child_keys
    open_page(browser_page, asset_url(webserver, MART, "neighbors", 1))
    labels = drawn_names(browser_page, len(neighbours) + 1)
    shot = screenshots / "mart_vacancy_lineage.png"
    browser_page.screenshot(path=str(shot))
    print(f"\nscreenshot of the mart_vacancy lineage: {shot}")
    assert shot.stat().st_size > 10_000
    assert_drawn_exactly(labels, neighbours | {MART}, "neighbours of mart_vacancy")
    # the edges between them are drawn too: one SVG path per dependency at least
    edges = browser_page.locator("svg path").count()
    assert edges >= len(neighbours), f"{edges} paths drawn for {len(neighbours)} dependencies"
    text = browser_page.inner_text("body")
    assert "published" in text and "intermediate" in text  # the group boxes


def test_upstream_lineage_reaches_the_raw_returns(webserver, graph, browser_page, screenshots):
    """Upstream of mart_vacancy: staging, intermediate, seeds, the return register and every raw return."""
    ancestors, depth = upstream_of(graph, MART)
    assert {STAGING, RAW, AssetKey(["audit", "load_log"])} <= ancestors
    open_page(browser_page, asset_url(webserver, MART, "upstream", depth))
    labels = drawn_names(browser_page, len(ancestors) + 1)
    browser_page.screenshot(path=str(screenshots / "mart_vacancy_upstream.png"))
    assert_drawn_exactly(labels, ancestors | {MART}, "upstream of mart_vacancy")


def test_downstream_lineage_of_a_raw_return_reaches_publication(webserver, graph, browser_page, screenshots):
    """From the ingestion asset raw/nhs_pwr down through dbt to the published file."""
    descendants, depth = downstream_of(graph, RAW)
    assert {STAGING, MART, PUBLISHED} <= descendants
    open_page(browser_page, asset_url(webserver, RAW, "downstream", depth))
    labels = drawn_names(browser_page, len(descendants) + 1)
    browser_page.screenshot(path=str(screenshots / "nhs_pwr_downstream.png"))
    assert_drawn_exactly(labels, descendants | {RAW}, "downstream of raw/nhs_pwr")


def test_staging_model_sits_between_its_raw_return_and_intermediate(webserver, graph, browser_page):
    node = graph.get(STAGING)
    neighbours = set(node.parent_keys) | set(node.child_keys)
    assert RAW in neighbours
    open_page(browser_page, asset_url(webserver, STAGING, "neighbors", 1))
    labels = drawn_names(browser_page, len(neighbours) + 1)
    assert_drawn_exactly(labels, neighbours | {STAGING}, "neighbours of stg_nhs_pwr__staff_groups")


def test_global_lineage_lists_every_group(webserver, graph, browser_page, screenshots):
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    open_page(browser_page, f"{webserver.url}/asset-groups")
    browser_page.get_by_text("published").first.wait_for(timeout=RENDER_LIMIT_S * 1000)
    dismiss_community_dialog(browser_page)
    browser_page.screenshot(path=str(screenshots / "global_lineage.png"))
    text = browser_page.inner_text("body")
    missing = sorted(g for g in groups if g not in text)
    assert not missing, f"groups not shown in the global lineage: {missing}"


def test_job_schedule_and_sensor_are_listed(webserver, browser_page):
    open_page(browser_page, f"{webserver.url}/jobs")
    browser_page.get_by_text("refresh", exact=True).first.wait_for(timeout=RENDER_LIMIT_S * 1000)
    open_page(browser_page, f"{webserver.url}/automation")
    browser_page.get_by_text("monthly_refresh").first.wait_for(timeout=RENDER_LIMIT_S * 1000)
    browser_page.get_by_text("landing_sensor").first.wait_for(timeout=RENDER_LIMIT_S * 1000)
    text = browser_page.inner_text("body")
    assert "monthly_refresh" in text and "landing_sensor" in text


# --- the GraphQL API against the code ---------------------------------------------------------------------

ASSETS_QUERY = """{ assetNodes { assetKey { path } groupName description kinds
  owners { ... on TeamAssetOwner { team } ... on UserAssetOwner { email } }
  assetChecksOrError { __typename ... on AssetChecks { checks { name } } } } }"""

REPOSITORY_QUERY = """{ repositoriesOrError { ... on RepositoryConnection { nodes {
  jobs { name } schedules { name cronSchedule scheduleState { status } } sensors { name } } } } }"""


def test_graphql_asset_keys_and_checks_equal_the_code(webserver, graph):
    nodes = webserver.graphql(ASSETS_QUERY)["assetNodes"]
    served = {AssetKey(n["assetKey"]["path"]) for n in nodes}
    assert served == set(graph.get_all_asset_keys())
    served_checks = {
        (AssetKey(n["assetKey"]["path"]), check["name"])
        for n in nodes
        if n["assetChecksOrError"]["__typename"] == "AssetChecks"
        for check in n["assetChecksOrError"]["checks"]
    }
    code_checks = {(key.asset_key, key.name) for key in graph.asset_check_keys}
    assert code_checks, "the code defines no asset checks (dbt tests should be asset checks)"
    assert served_checks == code_checks
    for n in nodes:
        key = AssetKey(n["assetKey"]["path"])
        assert n["groupName"] == graph.get(key).group_name
        assert n["description"] == graph.get(key).description
        assert set(n["kinds"]) == set(graph.get(key).kinds)
        assert [o.get("team") or o.get("email") for o in n["owners"]] == [
            o.removeprefix("team:") for o in graph.get(key).owners
        ]


def test_graphql_job_schedule_and_sensor(webserver):
    (repository,) = webserver.graphql(REPOSITORY_QUERY)["repositoriesOrError"]["nodes"]
    assert "refresh" in {job["name"] for job in repository["jobs"]}
    schedules = {s["name"]: s for s in repository["schedules"]}
    assert schedules["monthly_refresh"]["cronSchedule"] == "0 6 5 * *"
    assert schedules["monthly_refresh"]["scheduleState"]["status"] == "STOPPED"  # off until switched on
    assert "landing_sensor" in {s["name"] for s in repository["sensors"]}


def test_name_matching_tolerates_shortened_labels():
    assert label_matches("stg…__staff_groups", "stg_nhs_pwr__staff_groups")
    assert not label_matches("stg…__staff_groups", "stg_nhs_pwr__staff")
    assert label_matches("marts", "marts") and not label_matches("mart", "marts")
    assert re.fullmatch(r"\d+", str(free_port()))


COLUMNS_QUERY = """{ assetNodes(assetKeys: [{path: ["marts", "mart_vacancy"]}]) { metadataEntries { label
  ... on TableSchemaMetadataEntry { schema { columns { name type description } } } } } }"""


def test_graphql_serves_the_dbt_column_docs(webserver, graph):
    """The column docs of the model's YAML reach the UI's column schema (what a lead reads per column)."""
    (node,) = webserver.graphql(COLUMNS_QUERY)["assetNodes"]
    (entry,) = [e for e in node["metadataEntries"] if e["label"] == "dagster/column_schema"]
    served = {c["name"]: (c["type"], c["description"]) for c in entry["schema"]["columns"]}
    schema = graph.get(MART).metadata["dagster/column_schema"]
    schema = getattr(schema, "schema", schema)
    assert served == {c.name: (c.type, c.description) for c in schema.columns}
    assert served["period"] == ("date", "Month-end the figures describe.")
    assert all(description for _, description in served.values()), "every mart column is documented"


# --- what a lead reads: check names in words, the Data Docs over http (issue #24) --------------------------

DBT_DEFAULT_PREFIXES = ("not_null_", "unique_", "accepted_values_", "relationships_", "share_between_0_and_1_")


def test_check_names_are_words_not_dbt_test_ids(webserver, browser_page):
    """dbt tests' checks are named by their rule (orchestration/check_names.py), and the UI lists them so."""
    nodes = webserver.graphql(ASSETS_QUERY)["assetNodes"]
    names = {
        "/".join(n["assetKey"]["path"]): {c["name"] for c in n["assetChecksOrError"].get("checks", [])} for n in nodes
    }
    dbt_ids = sorted(name for checks in names.values() for name in checks if name.startswith(DBT_DEFAULT_PREFIXES))
    assert not dbt_ids, dbt_ids[:10]
    assert {"basis_is_an_allowed_value", "one_row_per_period_sector_profession_kpi"} <= names["marts/mart_system_kpis"]
    assert "returns_outstanding" in names["published/marts"]
    open_page(browser_page, f"{webserver.url}/assets/marts/mart_system_kpis?view=checks")
    browser_page.get_by_text("basis_is_always_filled").first.wait_for(timeout=RENDER_LIMIT_S * 1000)
    # the first check, selected: its sentence renders after its name (waited for, not read at once: a busy machine)
    browser_page.get_by_text("basis is filled on every row.").first.wait_for(timeout=RENDER_LIMIT_S * 1000)
    browser_page.get_by_text("basis_is_an_allowed_value").first.click()
    browser_page.get_by_text("basis is one of: headcount, FTE, days, count, mixed.").first.wait_for(
        timeout=RENDER_LIMIT_S * 1000
    )


def test_data_docs_link_loads_over_http(browser_page, tmp_path, monkeypatch):
    """The GX Data Docs folder, served as `make ui` serves it (orchestration/docs_server.py), opens in Chromium
    from the http link a check's metadata carries."""
    import threading

    from orchestration.docs_server import docs_server
    from orchestration.quality.gate import write_docs_index
    from orchestration.resources import Settings

    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("WF_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("WF_DOCS_URL", url)
    settings = Settings.from_env()
    (settings.warehouse_dir / "docs" / "gx" / "nhs_pwr").mkdir(parents=True)
    (settings.warehouse_dir / "docs" / "gx" / "nhs_pwr" / "index.html").write_text("<title>nhs_pwr</title>")
    write_docs_index(settings.warehouse_dir / "docs" / "gx")
    server = docs_server(settings)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        response = browser_page.goto(f"{settings.docs_url}/gx/index.html")
        assert response.status == 200
        assert "Great Expectations Data Docs" in browser_page.inner_text("body")
        browser_page.get_by_text("nhs_pwr").click()
        browser_page.wait_for_url(f"{url}/gx/nhs_pwr/index.html")
    finally:
        server.shutdown()
        server.server_close()
