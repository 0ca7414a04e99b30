"""The Lambda functions run from the layer's contents alone (layers/newswatch/layer-contents.txt).

Each handler is imported, and its pipeline built, in a fresh Python whose ``newswatch`` is a copy
of exactly the paths the layer build copies (the list the layer Makefile reads), so a handler
that needs a module left out of the layer fails here as it would on Lambda. Then what got
imported is checked: nothing of the command line, the local stack or the stack lookup, no
PyYAML (not in the layer), no moto and no boto3.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYER_SOURCE = ROOT / "layers/newswatch"
# Modules the functions must never import: development-side code, packages the layer does not
# ship (PyYAML) or that only tests use (moto), and boto3 (botocore makes the functions' clients:
# boto3's import is ~70 ms of each cold start).
FORBIDDEN = ("newswatch.cli", "newswatch.local", "newswatch.stack", "yaml", "moto", "boto3")

# Run in the child: import the handler from its directory, build what its first event builds,
# run a non-UTF-8 page through extraction (bs4's and charset-normalizer's lazy imports), and
# report every module loaded and where newswatch came from.
CHILD = """
import gc, json, sys
sys.path.insert(0, sys.argv[1])
import app
job = getattr(app, "ingest_pipeline", None) or getattr(app, "digest_job")
job()
from newswatch.extraction import extract_article
page = "<html><body><article><h1>Título</h1><p>" + "Señal de prueba. " * 40 + "</p></article>"
extract_article(page.encode("latin-1"))
import newswatch
print(json.dumps({
    "modules": sorted(sys.modules), "newswatch": newswatch.__file__, "collecting": gc.isenabled()
}))
"""


def layer_contents() -> list[str]:
    """The paths the layer build copies (layer-contents.txt, read by the layer Makefile)."""
    text = (LAYER_SOURCE / "layer-contents.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def layer_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The newswatch paths of the layer, copied as the Makefile copies them."""
    target = tmp_path_factory.mktemp("layer") / "python"
    for relative in layer_contents():
        source = LAYER_SOURCE / relative
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, destination)
    return target


def imports_of(handler_directory: str, layer: Path) -> dict[str, object]:
    environment = {
        **os.environ,
        # The layer's newswatch comes first: ahead of the editable install's path.
        "PYTHONPATH": str(layer),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "TABLE_NAME": "newswatch-test",
        "TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:newswatch-alerts",
        "ARTICLE_BUCKET": "newswatch-articles-test",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "Newswatch",
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT / handler_directory)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


@pytest.mark.parametrize("handler_directory", ["functions/ingest", "functions/digest"])
def test_handler_runs_from_the_layer_contents_alone(
    handler_directory: str, layer_copy: Path
) -> None:
    imported = imports_of(handler_directory, layer_copy)
    assert str(imported["newswatch"]).startswith(str(layer_copy))
    modules = imported["modules"]
    assert isinstance(modules, list)
    forbidden = [
        name
        for name in modules
        if any(name == prefix or name.startswith(prefix + ".") for prefix in FORBIDDEN)
    ]
    assert forbidden == []
    # The lazily imported decoders are used by the function, so the layer must ship them.
    assert "bs4" in modules
    assert "charset_normalizer" in modules
    # Init pauses the garbage collector (newswatch.startup); the events run with it on.
    assert imported["collecting"] is True


def test_layer_contents_name_real_paths_and_leave_out_the_development_side() -> None:
    contents = layer_contents()
    assert all((LAYER_SOURCE / relative).exists() for relative in contents)
    assert not {"newswatch/cli", "newswatch/local", "newswatch/stack.py"} & set(contents)
    # Every other module of the package ships: a new core module is not silently left out.
    package = LAYER_SOURCE / "newswatch"
    left_out = {
        str(path.relative_to(LAYER_SOURCE))
        for path in package.iterdir()
        if path.name != "__pycache__"
    } - set(contents)
    assert left_out == {"newswatch/cli", "newswatch/local", "newswatch/stack.py"}
    makefile = (LAYER_SOURCE / "Makefile").read_text(encoding="utf-8")
    assert "$(shell grep -v '^\\#' layer-contents.txt)" in makefile


# Heavy imports the ingest function does without, for its cold start (benchmarks/coldstart.py):
# Powertools' batch utility brings asyncio and every event data class (0.1 s); the Tracer the
# X-Ray SDK (0.66 s), unless tracing is asked for.
COLD_START_AVOIDED = ("aws_lambda_powertools.utilities.batch", "asyncio", "aws_xray_sdk")


def test_the_ingest_function_imports_nothing_its_cold_start_can_do_without(
    layer_copy: Path,
) -> None:
    modules = imports_of("functions/ingest", layer_copy)["modules"]
    assert isinstance(modules, list)
    assert [name for name in COLD_START_AVOIDED if name in modules] == []
