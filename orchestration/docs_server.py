"""Serve `<warehouse dir>/docs` (the GX Data Docs under gx/, `make docs`' dbt site under dbt/) over http at
WF_DOCS_URL (default http://127.0.0.1:3001), so the Data Docs link of a check opens from the Dagster UI: a
browser refuses a file:// link from an http page. `make ui` starts it beside `dagster dev`. Read-only, static
files, bound to the host of WF_DOCS_URL (the loopback by default)."""

from __future__ import annotations

import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from orchestration.resources import Settings


def docs_server(settings: Settings) -> ThreadingHTTPServer:
    url = urlsplit(settings.docs_url)
    folder = settings.warehouse_dir / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    return ThreadingHTTPServer((url.hostname or "127.0.0.1", url.port or 80), handler)


def main() -> int:
    settings = Settings.from_env()
    server = docs_server(settings)
    print(f"Data Docs of {settings.warehouse_dir / 'docs'} served at {settings.docs_url}", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
