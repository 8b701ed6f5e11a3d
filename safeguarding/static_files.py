"""Static files in production: hashed, compressed names, cached by browsers for ever."""

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from whitenoise.storage import CompressedManifestStaticFilesStorage

# `import { x } from "./a.js";` and `import "./b.mjs";` in the service's own modules. Only
# relative addresses: a module names its neighbours so, and nothing else is ours to rewrite.
_IMPORTS = (
    (
        r"""(?P<matched>import(?P<names>\s*\{[^}]*\}|\s+\w+|\s*\*\s*as\s+\w+)\s*from\s*"""
        r"""["'](?P<url>\.\.?/[^"']+)["'])""",
        'import%(names)s from "%(url)s"',
    ),
    (r"""(?P<matched>import\s*["'](?P<url>\.\.?/[^"']+)["'])""", 'import "%(url)s"'),
)


class StaticFiles(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, with the imports in the service's own JavaScript modules (*.mjs)
    rewritten to the hashed names, as stylesheets' url()s are.

    Left by their plain names, `js/application.<hash>.mjs` would import `govuk-frontend.min.js`
    and `timeout.mjs`, which WhiteNoise serves with a minute's caching: for that minute after a
    deploy a browser could run the new application module with the old modules it imports.
    Django's own rewriting of imports looks at *.js, which holds GOV.UK Frontend's minified
    bundle; these patterns look only at the modules the service wrote."""

    patterns = (*CompressedManifestStaticFilesStorage.patterns, ("*.mjs", _IMPORTS))


def collected():
    """False when production's hashed names are wanted (STATIC_MANIFEST) and collectstatic has
    not written them where this server reads them: then every page fails to draw."""
    if not settings.STATIC_MANIFEST:
        return True
    try:
        staticfiles_storage.stored_name("css/application.css")
    except ValueError:  # no manifest, or one without the service's stylesheet
        return False
    return True
