"""Nothing outside workflow/ changes a concern's or an advice request's status, or writes the
chronology. The scan reads the source, so a later change cannot quietly break the rule."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["safeguarding", "schools", "concerns", "advice", "audit", "reports"]
GUARDED_MODELS = {"Concern", "AdviceRequest"}
WRITES = {"create", "update", "update_or_create", "get_or_create", "bulk_create", "bulk_update"}


def _source_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def violations_in(source, filename="<source>"):
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        # concern.status = ...  /  request.status = ...
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "status":
                    found.append(f"{filename}:{node.lineno} assigns .status")
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            names = set()
            while isinstance(func, ast.Attribute):
                names.add(func.attr)
                func = func.value
            if isinstance(func, ast.Name):
                names.add(func.id)
            keywords = {k.arg for k in node.keywords}
            # WorkflowEvent(...), WorkflowEvent.objects.create(...)
            if "WorkflowEvent" in names and called in WRITES | {"WorkflowEvent"}:
                found.append(f"{filename}:{node.lineno} writes a WorkflowEvent")
            # Concern.objects.update(status=...), AdviceRequest(status=...), .create(status=...)
            elif "status" in keywords and called in WRITES | GUARDED_MODELS:
                found.append(f"{filename}:{node.lineno} sets status=")
    return found


def test_no_module_outside_workflow_writes_status_or_chronology():
    found = []
    for path in _source_files():
        found += violations_in(path.read_text(), str(path.relative_to(ROOT)))
    assert found == []


def test_the_scan_catches_each_kind_of_write():
    """The scan itself must be able to fail."""
    assert violations_in("concern.status = 'closed'")
    assert violations_in("Concern.objects.filter(pk=1).update(status='closed')")
    assert violations_in("AdviceRequest.objects.create(status='open')")
    assert violations_in("WorkflowEvent.objects.create(action='x')")
    assert violations_in(
        "from workflow.models import WorkflowEvent\nWorkflowEvent(action='x').save()"
    )
    assert not violations_in("Concern.objects.filter(status='closed')")
    assert not violations_in("WorkflowEvent.objects.filter(concern=c)")
