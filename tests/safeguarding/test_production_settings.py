"""With DEBUG off the service runs as production does: templates compiled once and kept,
database connections kept between requests and checked before reuse, and static files
collected under hashed names, compressed, and served to be cached for ever.

Each check starts the service's settings in a fresh process, as a server would."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(tmp_path, script, **variables):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "safeguarding.settings",
        "ENV_FILE": str(tmp_path / "none.env"),
        "DEBUG": "false",
        "SECRET_KEY": "a-production-like-secret-" + "k" * 60,
        "ALLOWED_HOSTS": "testserver",
        "SITE_URL": "https://testserver",
        **variables,
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_templates_are_compiled_once_and_kept(tmp_path):
    # Django wraps the loaders in its cached loader when none are configured.
    script = (
        "from django.template import engines, loader\n"
        "outer = engines['django'].engine.template_loaders[0]\n"
        "print(type(outer).__module__)\n"
        "print(loader.get_template('base.html').template"
        " is loader.get_template('base.html').template)\n"
    )
    assert run(tmp_path, script) == ["django.template.loaders.cached", "True"]


def test_postgresql_connections_are_kept_and_checked_before_reuse(tmp_path):
    script = (
        "from django.conf import settings\n"
        "db = settings.DATABASES['default']\n"
        "print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])\n"
    )
    database = "postgres://postgres@127.0.0.1:5432/safeguarding"
    assert run(tmp_path, script, DATABASE_URL=database) == ["60", "True"]


def test_static_files_are_hashed_compressed_and_cached_for_ever(tmp_path):
    static_root = tmp_path / "collected"
    script = (
        "from django.core.management import call_command\n"
        "from django.templatetags.static import static\n"
        "from django.test import Client\n"
        "call_command('collectstatic', interactive=False, verbosity=0)\n"
        "url = static('css/application.css')\n"
        "response = Client().get(url, secure=True, HTTP_ACCEPT_ENCODING='gzip')\n"
        "print(url, response.status_code, response['Content-Encoding'],"
        " response['Cache-Control'].replace(' ', ''))\n"
    )
    url, status, encoding, cache = run(tmp_path, script, STATIC_ROOT=str(static_root))
    name = url.removeprefix("/static/css/")
    start, content_hash, suffix = name.split(".")
    assert (start, suffix) == ("application", "css")
    assert len(content_hash) == 12, "the name carries a hash of the content"
    assert (static_root / "css" / name).exists()
    assert (static_root / "css" / f"{name}.gz").exists()
    assert (status, encoding) == ("200", "gzip")
    assert "max-age=315360000" in cache
    assert "immutable" in cache


def test_the_modules_a_page_loads_import_each_other_by_hashed_names(tmp_path):
    """A page loads js/application.<hash>.mjs; what it imports must be as fixed as it is, or a
    browser could run the new module with the old ones it imports for a while after a deploy."""
    script = (
        "import re\n"
        "from django.core.management import call_command\n"
        "from django.templatetags.static import static\n"
        "from django.test import Client\n"
        "call_command('collectstatic', interactive=False, verbosity=0)\n"
        "client = Client()\n"
        "url = static('js/application.mjs')\n"
        "source = b''.join(client.get(url, secure=True).streaming_content).decode()\n"
        "for name in re.findall(r'import[^;]*?[\"\\'](\\./[^\"\\']+)[\"\\']', source):\n"
        "    imported = url.rsplit('/', 1)[0] + name.removeprefix('.')\n"
        "    response = client.get(imported, secure=True)\n"
        "    print(imported, response.status_code, response['Cache-Control'].replace(' ', ''))\n"
    )
    printed = run(tmp_path, script, STATIC_ROOT=str(tmp_path / "collected"))
    imports = [printed[i : i + 3] for i in range(0, len(printed), 3)]
    assert [url.split("/")[-1].split(".")[0] for url, _, _ in imports] == [
        "govuk-frontend",
        "timeout",
    ]
    for url, status, cache in imports:
        name = url.split("/")[-1]
        assert len(name.split(".")[-2]) == 12, f"{name} carries a hash of its content"
        assert status == "200"
        assert "immutable" in cache
