"""The documentation site: `dbt docs generate --static` writes one HTML file that a browser opens
from disk, with no server and no network.

dbt's page loads nothing from outside except its usage tracker (a script from a CDN), and that only
when the manifest says send_anonymous_usage_stats, which dbt_project.yml turns off. The first test
checks the file itself; the others open it in Debian's headless Chromium (driven by Playwright, as
python_tests/test_report.py does) and record every request the page makes; a probe with tracking
turned on shows that the recorder sees a request that leaves the machine.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_FLAGS, PROJECT_DIR, run_dbt

# A local file (no host), inline data, a blank page. A protocol-relative address such as dbt's
# tracker (//<cdn>/sp.js) becomes file://<cdn>/... on a page opened from disk: not local.
LOCAL_SCHEMES = ("file:///", "data:", "about:")
# Pages of the docs site and a text each shows only once its JavaScript has rendered the page
# from the inlined manifest: the overview, the glossary on an exposure, a rule in a model.
PAGES = {
    "overview": "Where to start.",
    "exposure/exposure.banenafspraak.bi_dashboard": "verdeelsleutel (inleenverbanden)",
    "model/model.banenafspraak.fct_jobs": "Rule 5, hours to jobs (banen):",
    "test/test.banenafspraak.split_key_shares_sum_to_one": "add up to 1",
}


@pytest.fixture(scope="module")
def static_docs(built, tmp_path_factory) -> Path:
    """The static docs page of a copy of the built warehouse, generated in a folder of its own
    (in the build's own target folder, `docs generate` would overwrite its run results)."""
    work = tmp_path_factory.mktemp("docs")
    shutil.copy2(built.warehouse, work / "warehouse.duckdb")
    docs = run_dbt(PROJECT_DIR, work, "docs", "generate", "--static")
    assert docs.returncode == 0, docs.output[-3000:]
    return docs.target_dir / "static_index.html"


def test_the_static_docs_page_holds_everything_and_turns_tracking_off(static_docs):
    page = static_docs.read_text(encoding="utf-8")

    assert '"MANIFEST.JSON INLINE DATA"' not in page and '"CATALOG.JSON INLINE DATA"' not in page
    assert '"send_anonymous_usage_stats": false' in page
    for unique_id in (
        "doc.banenafspraak.__overview__",
        "doc.banenafspraak.glossary",
        "doc.banenafspraak.rule_5_hours_to_jobs",
        "exposure.banenafspraak.static_html_report",
        "exposure.banenafspraak.bi_dashboard",
    ):
        assert unique_id in page
    for tag in ('<script src="http', '<link href="http', '<link rel="stylesheet" href="http'):
        assert tag not in page


def visit(page_file: Path, pages: dict[str, str], profile: Path) -> list[str]:
    """Open each page (route -> a text it must show) of `page_file` in headless Chromium; return
    the URL of every request made."""
    # Fails, never skips, without Playwright (requirements-dev.txt) or Debian's chromium.
    from playwright import sync_api

    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium")
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=list(CHROMIUM_FLAGS),
        )
        try:
            context.on("request", lambda request: requests.append(request.url))
            page = context.new_page()
            for route, text in pages.items():
                page.goto(f"{page_file.as_uri()}#!/{route}", wait_until="load")
                page.wait_for_load_state("networkidle")
                page.get_by_text(text).first.wait_for(state="visible", timeout=30_000)
        finally:
            context.close()
    return requests


def test_the_static_docs_page_opens_from_disk_without_the_network(static_docs, tmp_path):
    requests = visit(static_docs, PAGES, tmp_path / "profile")

    assert static_docs.as_uri() in [url.split("#")[0] for url in requests]
    assert [url for url in requests if not url.startswith(LOCAL_SCHEMES)] == []


def test_the_request_recorder_sees_the_tracker_when_tracking_is_on(static_docs, tmp_path):
    # The probe: the same page with send_anonymous_usage_stats on asks for dbt's tracker script
    # (from a disk page the address resolves to file://<cdn>/..., served over HTTP to the CDN).
    tracked = tmp_path / "tracked_index.html"
    page = static_docs.read_text(encoding="utf-8")
    tracked.write_text(
        page.replace('"send_anonymous_usage_stats": false', '"send_anonymous_usage_stats": true', 1),
        encoding="utf-8",
    )

    requests = visit(tracked, {"overview": "Where to start."}, tmp_path / "profile")

    assert [url for url in requests if "/sp.js" in url and not url.startswith(LOCAL_SCHEMES)]
