"""Great Expectations' Data Docs made to work offline and to show no credit code.

GX writes pages that load Bootstrap, jQuery, Font Awesome and Vega from CDNs, and an index whose
table is filled in by those scripts from inline JSON: without the network the index is blank. The
validation and suite pages are plain HTML tables, so each page keeps its content and loses its
external references (a small inline style sheet and text marks stand in for Bootstrap and the
status icons), and the index is replaced by a static one that links every page. Unexpected values
GX lists can be credit codes (of enterprises that are confidential): any credit-code-shaped text is
masked, as in the marts."""

from __future__ import annotations

import html
import re
from pathlib import Path

# <script src=…>, <link href=…> and <img src=…> that point outside the page's folder
EXTERNAL_TAG = re.compile(
    r"<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//[^>]*>(?:\s*</script>)?", re.I
)
# a link to a web page keeps its text and loses its target
EXTERNAL_LINK = re.compile(r"<a\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>(.*?)</a>", re.I | re.S)
STATUS_ICONS = (
    (re.compile(r"<i\b[^>]*\bfa-check-circle\b[^>]*>\s*</i>"), '<span class="pw-ok">✔ 通过</span>'),
    (re.compile(r"<i\b[^>]*\bfa-times(?:-circle)?\b[^>]*>\s*</i>"), '<span class="pw-bad">✘ 未通过</span>'),
    (re.compile(r"<i\b[^>]*\bfa[sbr]?\b[^>]*>\s*</i>"), ""),  # any other icon of the font
)
# GB 32100-2015 credit codes, wherever they stand (glued to a period or a file name too)
CREDIT_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")
MASK = "[代码已隐去]"
STYLE = """<style>
body { font-family: sans-serif; margin: 16px; color: #222; }
table { border-collapse: collapse; margin: 8px 0; } td, th { border: 1px solid #ccc; padding: 3px 6px; }
.pw-ok { color: #1e7b34; font-weight: bold; } .pw-bad { color: #c00000; font-weight: bold; }
.collapse:not(.show) { display: block; } .hide, .d-none { display: none; }
</style>"""


def offline_page(text: str) -> str:
    """A GX page without external references or credit codes, with a small style sheet of its own."""
    text = EXTERNAL_TAG.sub("", text)
    text = EXTERNAL_LINK.sub(r"\1", text)
    for pattern, replacement in STATUS_ICONS:
        text = pattern.sub(replacement, text)
    text = CREDIT_CODE.sub(MASK, text)
    return text.replace("</head>", f"{STYLE}\n</head>", 1)


def page_passed(text: str) -> bool | None:
    """The status a validation page shows after offline_page: True, False, or None when it has none."""
    status = re.search(r"Status:\s*</span>\s*<span class=\"pw-(ok|bad)\"", text)
    return None if status is None else status.group(1) == "ok"


def index_page(site: Path) -> str:
    """A static index of the site's validation pages (model, suite, batch, run, status) and suites."""
    rows = []
    for page in sorted(site.glob("validations/*/*/*/*.html")):
        model, suite, run = page.relative_to(site).parts[1:4]
        passed = page_passed(page.read_text(encoding="utf-8"))
        mark = {True: '<span class="pw-ok">✔ 通过</span>', False: '<span class="pw-bad">✘ 未通过</span>'}
        link = html.escape(page.relative_to(site).as_posix(), quote=True)
        cells = [model, suite, page.stem, run]
        rows.append(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells)
            + f"<td>{mark.get(passed, '—')}</td><td><a href=\"{link}\">结果 results</a></td></tr>"
        )  # fmt: skip
    suites = "".join(
        f'<li><a href="{html.escape(page.relative_to(site).as_posix(), quote=True)}">{html.escape(page.stem)}</a></li>'
        for page in sorted(site.glob("expectations/*.html"))
    )
    head = "".join(
        f"<th>{name}</th>" for name in ("模型 model", "规则集 suite", "批次 batch", "运行 run", "状态", "")
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>Data Docs (planwatch)</title>'
        f"{STYLE}</head><body><h1>暂存数据校验 Great Expectations validations</h1>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"<h2>规则集 Expectation suites</h2><ul>{suites}</ul></body></html>\n"
    )


def make_offline(site: Path) -> None:
    """Rewrite every page of a freshly built Data Docs site in place, then its index."""
    for page in site.rglob("*.html"):
        page.write_text(offline_page(page.read_text(encoding="utf-8")), encoding="utf-8")
    (site / "index.html").write_text(index_page(site), encoding="utf-8")
