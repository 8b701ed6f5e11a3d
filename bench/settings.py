"""The service's own settings, with the bench's URLconf and a directory for its baseline
templates. Everything else (middleware, template loaders, database options) is production's."""

import copy
import os
import tempfile
from pathlib import Path

from safeguarding.settings import *  # noqa: F403
from safeguarding.settings import TEMPLATES as SERVICE_TEMPLATES

ROOT_URLCONF = "bench.urls"

# Static copies of each measured page, written by bench.run before the first baseline request.
BENCH_TEMPLATE_DIR = Path(
    os.environ.get("BENCH_TEMPLATE_DIR") or tempfile.mkdtemp(prefix="bench-templates-")
)
TEMPLATES = copy.deepcopy(SERVICE_TEMPLATES)
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BENCH_TEMPLATE_DIR]
