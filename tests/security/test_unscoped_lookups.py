"""No view reads a case record except through a scoped selector.

Every module under `<app>/views/` and every `<app>/views.py` is parsed; a `.objects` (or
another manager) on a case model, or a `get_object_or_404`/`get_list_or_404`, is a finding.
Names are resolved through the module's own imports, so an alias cannot hide a model.
"""

import ast
import importlib
from pathlib import Path

from django.apps import apps

from schools.models import Pupil

ROOT = Path(__file__).resolve().parents[2]
APPS = ["safeguarding", "schools", "concerns", "advice", "workflow", "audit", "reports"]
# Every model of the apps that hold children's records, and the roll itself. A model added to
# one of these apps later is covered without editing this list.
CASE_APPS = ["concerns", "advice", "workflow", "audit", "reports"]
MANAGERS = {"objects", "_default_manager", "_base_manager"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def case_models():
    models = {Pupil}
    for label in CASE_APPS:
        models |= set(apps.get_app_config(label).get_models())
    return models


def view_modules():
    for app in APPS:
        files = [ROOT / app / "views.py", *sorted((ROOT / app / "views").glob("**/*.py"))]
        for path in files:
            if path.exists():
                name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
                yield name, path


def _resolve(node, namespace):
    """The object a `Name` or `a.b.c` expression names in the module, or None."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, namespace)
        return getattr(owner, node.attr, None) if owner is not None else None
    return None


def _imported(tree, package):
    """What every import statement in the module binds, those inside functions included."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                module = importlib.import_module(alias.name if alias.asname else top)
                names[alias.asname or top] = module
        elif isinstance(node, ast.ImportFrom):
            source = "." * node.level + (node.module or "")
            module = importlib.import_module(source, package)
            for alias in node.names:
                value = getattr(module, alias.name, None)
                if value is None:
                    value = importlib.import_module(f"{module.__name__}.{alias.name}")
                names[alias.asname or alias.name] = value
    return names


def unscoped_lookups(source, namespace, filename="<source>", package=None):
    """(line, text) of each unscoped read in `source`, whose names resolve in `namespace` or
    through the module's imports."""
    found = []
    models = case_models()
    tree = ast.parse(source, filename)
    namespace = {**_imported(tree, package), **namespace}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            if _resolve(node.value, namespace) in models:
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Call):
            called = node.func.id if isinstance(node.func, ast.Name) else None
            called = called or (node.func.attr if isinstance(node.func, ast.Attribute) else None)
            if called in SHORTCUTS:
                found.append((node.lineno, ast.unparse(node)))
    return sorted(found)


def test_no_view_reads_a_case_record_without_a_scoped_selector():
    findings = []
    modules = list(view_modules())
    assert len(modules) >= 15, "the scan found too few view modules: has the layout changed?"
    for name, path in modules:
        namespace = vars(importlib.import_module(name))
        package = name.rpartition(".")[0]
        for line, text in unscoped_lookups(path.read_text(), namespace, str(path), package):
            findings.append(f"{path.relative_to(ROOT)}:{line}: {text}")
    assert not findings, "read these through a scoped selector instead:\n" + "\n".join(findings)


PLANTED = """
from django.shortcuts import get_object_or_404
from django import shortcuts
from concerns import models
from concerns.models import Attachment as File
from schools.models import Pupil, School

def view(request, pk):
    from concerns.models import Escalation as E

    E.objects.get(pk=pk)
    models.Concern.objects.get(pk=pk)
    File._default_manager.filter(pk=pk)
    from .models import Closure

    Closure.objects.count()
    Pupil.objects.all()
    get_object_or_404(Pupil, pk=pk)
    shortcuts.get_list_or_404(File)
    School.objects.get(pk=pk)  # not a child's record
    request.membership.school.pupils.all()  # through a relation, not a manager
"""


def test_the_scan_finds_each_kind_of_planted_unscoped_read():
    namespace = {}
    exec(compile(PLANTED, "<planted>", "exec"), namespace)  # our own fixed text, for its imports
    found = [text for _, text in unscoped_lookups(PLANTED, namespace, package="concerns")]
    assert found == [
        "E.objects",
        "models.Concern.objects",
        "File._default_manager",
        "Closure.objects",
        "Pupil.objects",
        "get_object_or_404(Pupil, pk=pk)",
        "shortcuts.get_list_or_404(File)",
    ]
