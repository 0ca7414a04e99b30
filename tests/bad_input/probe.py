"""Extract one corpus case in this process and print what happened, as JSON.

Run as ``python tests/bad_input/probe.py NAME`` by ``tests/test_bad_input.py``, one process per
case, so that each case's peak memory (``ru_maxrss``) is its own and a hang can be killed.
The address-space limit makes a runaway allocation fail here rather than swap the machine.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

# Address space, not resident memory: the interpreter, lxml and the thread stacks reserve far
# more than they touch. Peak *resident* memory is what the test bounds (256 MB).
ADDRESS_SPACE_BYTES = 1024 * 1024 * 1024


def _peak_resident_kib() -> int:
    """This process's peak resident memory. Linux's ``ru_maxrss`` survives ``exec``, so a probe
    started by a large pytest process would report that process's size: ``VmHWM`` (the
    high-water mark of this program's own memory) is read where it exists."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(name: str) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_BYTES, ADDRESS_SPACE_BYTES))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from newswatch.errors import Rejection
    from newswatch.extraction import extract_article

    from bad_input.corpus import BY_NAME

    case = BY_NAME[name]
    data = case.build()
    check_passed = None
    started = time.perf_counter()
    try:
        article = extract_article(data, content_type=case.content_type)
    except Rejection as rejection:
        outcome, title = rejection.reason, None
    else:
        outcome, title = "stored", article.title
        if case.check is not None:
            check_passed = case.check(article.title, article.text)
    seconds = time.perf_counter() - started
    peak_kib = _peak_resident_kib()
    result = {
        "outcome": outcome,
        "seconds": seconds,
        "bytes": len(data),
        "peak_mb": peak_kib / 1024,
        "check_passed": check_passed,
        "title": None if title is None else title[:80],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
