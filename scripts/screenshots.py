"""Screenshots of the web pages, desktop and narrow phone, for docs/web.md and README.

    make screenshots                       # starts the service itself (statistical model)
    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:8000 [--key KEY]

Drives Debian's headless chromium (the one the browser tests use) through Playwright;
the texts are written here, never taken from a dataset.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "docs" / "images"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
SAMPLE = (
    "Energia solar em casa: quanto custa instalar painéis solares? O preço dos painéis "
    "solares caiu nos últimos anos, e o financiamento de energia solar ficou mais fácil. "
    "Antes de comprar, compare orçamentos de instaladores de energia solar da sua cidade, "
    "veja a economia na conta de luz e o tempo de retorno do investimento. Painéis solares "
    "monocristalinos rendem mais em telhados pequenos; os policristalinos custam menos."
)
# A small corpus for the research page: (file name, text).
CORPUS = [
    ("solar-precos.txt", SAMPLE),
    (
        "solar-manutencao.txt",
        "Manutenção de painéis solares: limpe os painéis solares a cada seis meses e "
        "verifique o inversor. A manutenção preventiva de energia solar evita perdas.",
    ),
    (
        "solar-vs-eolica.txt",
        "Energia solar ou energia eólica? Compare o custo da energia solar com o da energia "
        "eólica em casas e fazendas; onde venta pouco, painéis solares rendem mais.",
    ),
    (
        "bateria-solar.txt",
        "Como escolher uma bateria para energia solar: baterias de lítio duram mais que "
        "baterias de chumbo. Qual a melhor bateria para painéis solares off-grid?",
    ),
]


def shoot_extract(page: Any, name: str) -> Path:
    page.goto("/")
    page.fill("#text", SAMPLE)
    for _ in range(2):  # the first run loads the model; the shot shows a warm one's time
        before = page.evaluate("() => document.body.dataset.results || ''")
        page.click("#extract-form button[type=submit]")
        page.wait_for_function("b => (document.body.dataset.results || '') !== b", arg=before)
    page.locator("#results").scroll_into_view_if_needed()
    page.hover("#keywords button.kw[data-k='0']")  # after scrolling: the pointer stays on it
    path = OUT / f"web-extract-{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def shoot_research(page: Any, name: str, tmp: Path) -> Path | None:
    if page.goto("/research").status != 200:
        return None
    files = []
    for file_name, text in CORPUS:
        (tmp / file_name).write_text(text, encoding="utf-8")
        files.append(str(tmp / file_name))
    page.set_input_files("#files", files)
    page.click("#research-form button[type=submit]")
    page.wait_for_selector("#research-table tbody tr", timeout=180_000)
    page.wait_for_selector(".chart svg")
    page.locator("#job-done").evaluate("e => e.scrollIntoView()")
    path = OUT / f"web-research-{name}.png"
    page.screenshot(path=path)  # the viewport: the results' top (chart, tabs, table)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running service (default: start one)")
    parser.add_argument("--key", help="API key, when the service requires one")
    args = parser.parse_args(argv)
    from okf.testing import chromium, running_service

    OUT.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(running_service())
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        browser = stack.enter_context(chromium())
        for name, (width, height) in SIZES.items():
            context = browser.new_context(
                base_url=url, viewport={"width": width, "height": height},
                device_scale_factor=1, is_mobile=name == "phone",
            )
            if args.key:
                context.add_init_script(f"sessionStorage.setItem('okf-api-key', {args.key!r})")
            page = context.new_page()
            print(shoot_extract(page, name))
            shot = shoot_research(page, name, tmp)
            print(shot or "no /research page on this service: skipped")
            context.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
