"""The research page in headless Chromium: upload a small corpus, watch the progress
bar move, browse the tables (sort, filter) and the clusters chart, download the XLSX
and open it with openpyxl. The corpus is written here; its hostile file runs nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

CORPUS = {
    "solar-precos.txt": (
        "Quanto custa instalar painéis solares? O preço dos painéis solares caiu, e o "
        "financiamento de energia solar ficou mais fácil. Compare orçamentos de energia solar."
    ),
    "solar-manutencao.txt": (
        "Manutenção de painéis solares: limpe os painéis solares a cada seis meses. A "
        "manutenção de energia solar evita perdas. Como limpar painéis solares?"
    ),
    "bateria.txt": (
        "Como escolher uma bateria para energia solar? Baterias de lítio duram mais que "
        "baterias de chumbo. Comprar bateria de lítio para painéis solares off-grid."
    ),
    "hostil.txt": (
        '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> '
        "Energia solar em escolas: painéis solares nas escolas públicas reduzem a conta."
    ),
}

# Collects every value the progress bar shows, before the job is submitted.
_WATCH_PROGRESS = """() => {
  window.__progress = [];
  new MutationObserver(() => {
    for (const bar of document.querySelectorAll('#job progress')) {
      const v = +bar.getAttribute('value');
      if (window.__progress[window.__progress.length - 1] !== v) window.__progress.push(v);
    }
  }).observe(document.getElementById('job'), {subtree: true, childList: true,
                                               attributes: true});
}"""


@pytest.fixture
def corpus(tmp_path: Path) -> list[str]:
    paths = []
    for name, text in CORPUS.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths


def test_upload_progress_tables_chart_and_xlsx(
    page: Any, corpus: list[str], tmp_path: Path
) -> None:
    import openpyxl

    page.goto("/research")
    page.evaluate(_WATCH_PROGRESS)
    page.set_input_files("#files", corpus)
    page.select_option("#r-model", "statistical")
    page.click("#research-form button[type=submit]")
    page.wait_for_selector("#research-table tbody tr", timeout=180_000)
    seen = page.evaluate("() => window.__progress")
    assert seen[-1] == 100 and len(seen) >= 2 and seen == sorted(seen), seen

    # Keywords table: rows, sortable by a column, filterable by text.
    assert page.locator("#research-table tbody tr").count() >= 3
    page.click("#research-table th button.sort:text-is('corpus_score')")
    page.wait_for_selector("#research-table th[aria-sort='ascending']")
    column = page.evaluate(
        """() => { const t = document.getElementById('research-table');
             const i = [...t.tHead.rows[0].cells].findIndex(c => c.textContent.trim()
               === 'corpus_score');
             return [...t.tBodies[0].rows].map(r => +r.cells[i].textContent); }"""
    )
    assert column == sorted(column) and len(column) >= 3
    page.fill("#t-q", "solar")
    page.wait_for_function(
        """() => { const rows = [...document.querySelectorAll('#research-table tbody tr')];
             return rows.length > 0 && rows.every(r => r.textContent.includes('solar')); }"""
    )

    # Every table opens; the clusters chart is drawn with labels.
    for name in ("clusters", "questions", "gap", "cannibalization", "pages", "keywords"):
        page.click(f".tabs button:text-is('{name}')")
        page.wait_for_selector(f"#research-table[data-table='{name}'], #tables p")
    assert page.locator(".chart svg circle").count() >= 1
    assert page.locator(".chart svg text").first.text_content().strip()

    with page.expect_download() as info:
        page.click("button:text-is('Download XLSX')")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = openpyxl.load_workbook(saved)
    assert "keywords" in workbook.sheetnames
    assert workbook["keywords"].max_row >= 4

    # The job is listed among this key's past jobs, and opens from there.
    page.wait_for_function(
        """() => { const li = document.querySelector('#past-jobs li');
             return li && li.textContent.includes('done'); }"""
    )

    assert page.evaluate("() => window.__pwned") is None
    assert page.errors == []


def test_research_page_has_no_serious_accessibility_violations(
    browser: Any, base_url: str, corpus: list[str]
) -> None:
    from .browser import serious_violations

    context = browser.new_context(base_url=base_url, bypass_csp=True)  # to inject axe
    page = context.new_page()
    try:
        page.goto("/research")
        assert serious_violations(page) == []
        page.set_input_files("#files", corpus[:2])
        page.select_option("#r-model", "statistical")
        page.click("#research-form button[type=submit]")
        page.wait_for_selector("#research-table tbody tr", timeout=180_000)
        page.wait_for_selector(".chart svg")
        assert serious_violations(page) == []
    finally:
        context.close()
