"""Print the deployed function's size from ``sam build`` output: each built artefact under
``.aws-sam/build`` (the function's code and its own layer) unzipped and zipped, and their sum.

The goal (issue 10) is function plus own layer under 20 MB unzipped; the zipped figure is what
Lambda stores and downloads on a cold start. Run ``make build`` first.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

BUILD = Path(__file__).resolve().parents[1] / ".aws-sam" / "build"
ARTEFACTS = ("IngestFunction", "DigestFunction", "NewswatchLayer")


def sizes(directory: Path) -> tuple[int, int]:
    """Bytes of the files under ``directory``, and of their zip (deflate, as sam deploy)."""
    unzipped = 0
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                unzipped += path.stat().st_size
                archive.write(path, path.relative_to(directory))
    return unzipped, len(buffer.getvalue())


def main() -> int:
    figures: dict[str, dict[str, int]] = {}
    for name in ARTEFACTS:
        directory = BUILD / name
        if not directory.is_dir():
            print(f"deployment_size: no {directory}; run `make build` first", file=sys.stderr)
            return 1
        unzipped, zipped = sizes(directory)
        figures[name] = {"unzipped_bytes": unzipped, "zipped_bytes": zipped}
    figures["total"] = {
        key: sum(figures[name][key] for name in ARTEFACTS)
        for key in ("unzipped_bytes", "zipped_bytes")
    }
    for name, figure in figures.items():
        print(
            f"{name:16} {figure['unzipped_bytes'] / 1e6:8.1f} MB unzipped"
            f" {figure['zipped_bytes'] / 1e6:8.1f} MB zipped"
        )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
