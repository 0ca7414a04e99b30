"""newswatch against trafilatura on aeb-dev: quality and speed measured side by side in one run.

aeb-dev is what the extractor was tuned on; a second table, when NEWSWATCH_OTHER_SITES_DIR
names a folder of pages in newspaper4k's test-data layout (see README.md here), shows whether
its rules hold on sites it was never tuned on.

Every extractor gets the same input, the page's raw (decompressed) bytes, as an S3 object
arrives, so decoding and parsing are inside the timed work. The machine may be shared, so the
extractors take turns page by page and each page counts with its fastest of several runs:
background load only ever slows a run down, and it slows all extractors alike. Two parse-only
rows show what bs4 costs next to lxml.html, the figure behind building the extractor on lxml.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import trafilatura
from bs4 import BeautifulSoup
from newswatch.extraction import extract_article

from benchmarks import body_fixtures
from benchmarks.aeb import (
    Page,
    Score,
    aeb_dir,
    aggregate,
    load_pages,
    load_paired_pages,
    score_page,
)

ROUNDS = 3
OTHER_SITES_ENV = "NEWSWATCH_OTHER_SITES_DIR"
# Issue 11's goals: F1 on the development pages and on the other sites, speed against
# trafilatura in the same run.
F1_GOALS = {"aeb-dev": 0.985, "other sites": 0.98}
MIN_SPEEDUP = 2.5

Extractor = Callable[[bytes], str | None]


@dataclass(frozen=True, slots=True)
class Result:
    """One extractor's outcome: its score (None for parse-only rows) and its total time."""

    name: str
    score: Score | None
    failures: int
    seconds: float
    pages: int

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else float("inf")


def newswatch_text(html: bytes) -> str | None:
    """What the pipeline pays: decoding, parsing, metadata and body, end to end."""
    return extract_article(html).text


def trafilatura_text(html: bytes) -> str | None:
    """trafilatura with its default settings, as its published scores use it."""
    text = trafilatura.extract(html)
    return text if isinstance(text, str) else None


def bs4_get_text(html: bytes) -> str | None:
    """The naive baseline: every visible and invisible string on the page."""
    return BeautifulSoup(html, "lxml").get_text()


def bs4_parse(html: bytes) -> None:
    """bs4's tree over lxml, built and thrown away: the floor of any bs4-based design."""
    BeautifulSoup(html, "lxml")


def lxml_parse(html: bytes) -> None:
    """lxml.html's tree, built and thrown away: the floor of the design newswatch uses."""
    lxml.html.document_fromstring(html)


def _timed(extractor: Extractor, html: bytes) -> tuple[str | None, float]:
    """One page's output (None on failure) and the wall time it took."""
    started = time.perf_counter()
    try:
        output = extractor(html)
    except Exception:
        output = None  # a failure is a measured outcome, not a crash of the benchmark
    return output, time.perf_counter() - started


def measure(
    extractors: dict[str, tuple[Extractor, bool]], pages: Sequence[Page], rounds: int = ROUNDS
) -> list[Result]:
    """Score each extractor (when its flag says it yields text) and time it fairly.

    Extractors take turns page by page (in alternating order), so a burst of load from other
    processes hits all of them alike, and each page counts with its fastest of ``rounds`` runs.
    """
    names = list(extractors)
    fastest = {name: [float("inf")] * len(pages) for name in names}
    outputs: dict[str, list[str | None]] = {name: [None] * len(pages) for name in names}
    for round_number in range(rounds):
        for index, page in enumerate(pages):
            order = names if (round_number + index) % 2 == 0 else names[::-1]
            for name in order:
                output, seconds = _timed(extractors[name][0], page.html)
                outputs[name][index] = output
                fastest[name][index] = min(fastest[name][index], seconds)
    results = []
    for name, (_, yields_text) in extractors.items():
        texts = outputs[name]
        score = None
        failures = 0
        if yields_text:
            failures = sum(1 for text in texts if not text)
            score = aggregate(
                score_page(page.truth, text or "") for page, text in zip(pages, texts, strict=True)
            )
        results.append(Result(name, score, failures, sum(fastest[name]), len(pages)))
    return results


def format_table(results: Sequence[Result], reference: str) -> str:
    """A plain-text table; the speed column is relative to the ``reference`` extractor."""
    base = next(r for r in results if r.name == reference).pages_per_second
    header = f"{'extractor':<28}{'precision':>10}{'recall':>8}{'F1':>8}{'failures':>10}"
    header += f"{'pages/s':>10}{'vs ' + reference:>18}"
    lines = [header, "-" * len(header)]
    for result in results:
        if result.score is None:
            quality = f"{'-':>10}{'-':>8}{'-':>8}{'-':>10}"
        else:
            score = result.score
            quality = (
                f"{score.precision:>10.3f}{score.recall:>8.3f}{score.f1:>8.3f}{result.failures:>10}"
            )
        ratio = result.pages_per_second / base
        lines.append(f"{result.name:<28}{quality}{result.pages_per_second:>10.1f}{ratio:>17.2f}x")
    return "\n".join(lines)


def main() -> None:
    """Print the extraction table for aeb-dev (or say why it cannot), then the other sites'."""
    folder = aeb_dir()
    if (folder / "ground-truth.json").exists():
        extractors: dict[str, tuple[Extractor, bool]] = {
            "newswatch": (newswatch_text, True),
            "trafilatura": (trafilatura_text, True),
            "bs4 get_text": (bs4_get_text, True),
            "parse only: lxml.html": (lxml_parse, False),
            "parse only: bs4 (lxml)": (bs4_parse, False),
        }
        _print_table("aeb-dev", load_pages(folder), extractors, goal_name="aeb-dev")
    else:
        print(f"extraction benchmark skipped: no aeb-dev at {folder} (set NEWSWATCH_AEB_DIR)")
    other_sites = os.environ.get(OTHER_SITES_ENV)
    if other_sites:
        pages = load_paired_pages(Path(other_sites))
        if pages:
            comparison: dict[str, tuple[Extractor, bool]] = {
                "newswatch": (newswatch_text, True),
                "trafilatura": (trafilatura_text, True),
            }
            _print_table(f"other sites ({other_sites})", pages, comparison, goal_name="other sites")
        else:
            print(f"\nother sites skipped: no html/NAME.html with txt/NAME.txt in {other_sites}")
    body_fixtures.main()


def _print_table(
    name: str,
    pages: Sequence[Page],
    extractors: dict[str, tuple[Extractor, bool]],
    *,
    goal_name: str,
) -> None:
    """The table, then the F1 and speed goals as ``[met]``/``[MISSED]`` lines for the run."""
    rounds = f"each page's fastest of {ROUNDS} runs"
    print(f"\nArticle extraction on {name}: {len(pages)} pages, {rounds}")
    results = measure(extractors, pages)
    print(format_table(results, reference="trafilatura"))
    ours = next(r for r in results if r.name == "newswatch")
    theirs = next(r for r in results if r.name == "trafilatura")
    if ours.score is not None:
        target = F1_GOALS[goal_name]
        status = "met" if ours.score.f1 >= target else "MISSED"
        print(f"[{status}] {goal_name} F1 >= {target}: {ours.score.f1:.3f}")
    speedup = ours.pages_per_second / theirs.pages_per_second
    status = "met" if speedup >= MIN_SPEEDUP else "MISSED"
    print(f"[{status}] {goal_name} speed >= {MIN_SPEEDUP}x trafilatura: {speedup:.2f}x")


if __name__ == "__main__":
    main()
