"""Nothing outside the workflow layer changes a concern's or an advice request's status, or
writes the chronology. The scan reads the source, so a later change cannot quietly break the
rule."""

import ast
import re
from pathlib import Path

import pytest

from workflow.models import WorkflowEvent

ROOT = Path(__file__).resolve().parents[2]
# The workflow layer proper: the transition functions and what they share. Everything else
# under workflow/ (admin, commands, rules, models) calls them like any other app, so it is
# scanned, as are bench/, every app's commands and migrations, and manage.py.
WORKFLOW_LAYER = {"workflow/concerns.py", "workflow/advice.py", "workflow/core.py"}
# The outbox the transitions queue in; delivery moves a Notification's own status.
OUTBOX = "workflow/notify.py"
# The demo seeder builds authority-sized history in bulk by design (its docstring says why).
BULK_SEEDER = "workflow/scale.py"
# The migration that filled in, once, the concern version each earlier event produced (a
# column of its own; its docstring says how). It writes nothing else.
VERSION_BACKFILL = "workflow/migrations/0007_workflowevent_concern_version.py"
NOT_SCANNED = WORKFLOW_LAYER | {OUTBOX, BULK_SEEDER, VERSION_BACKFILL}
# Tests build fixtures in any status; the rest are not Python we ship.
SKIPPED_DIRS = {"tests", "node_modules", "static", "templates", "docs", "frontend"}

GUARDED_MODELS = {"Concern", "AdviceRequest"}
WRITES = {"create", "update", "update_or_create", "get_or_create", "bulk_create", "bulk_update"}
# concern.events / advice_request.events: the related managers that reach WorkflowEvent.
CHRONOLOGY = {
    f.remote_field.related_name
    for f in WorkflowEvent._meta.get_fields()
    if f.many_to_one and f.remote_field.related_name != "+"
}
# UPDATE <table> SET ... status = ..., up to any WHERE (a row chosen by its status is a read).
RAW_STATUS_WRITE = re.compile(
    r"\bupdate\s+(?:\S+\s+)?set\b(?:(?!\bwhere\b).)*?\bstatus\b[\"'`]?\s*=",
    re.IGNORECASE | re.DOTALL,
)
RAW_CHRONOLOGY_WRITE = re.compile(
    rf"\b(insert\s+into|update)\s+[\"'`]?{WorkflowEvent._meta.db_table}\b", re.IGNORECASE
)


def _source_files():
    for path in sorted(ROOT.glob("*.py")):
        yield path
    for top in sorted(ROOT.iterdir()):
        if not top.is_dir() or top.name.startswith(".") or top.name in SKIPPED_DIRS:
            continue
        for path in sorted(top.rglob("*.py")):
            if path.relative_to(ROOT).as_posix() not in NOT_SCANNED:
                yield path


def _assigned(target):
    """Every name a target binds: `a.status, a.version = ...` binds two."""
    if isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _assigned(element)
    elif isinstance(target, ast.Starred):
        yield from _assigned(target.value)
    else:
        yield target


def _receiver(func):
    """The attribute names and the base name a call hangs from:
    `WorkflowEvent.objects.filter(x).update` -> ({"update", "filter", "objects"}, "WorkflowEvent").
    """
    attrs = set()
    while isinstance(func, ast.Attribute | ast.Call):
        if isinstance(func, ast.Call):
            func = func.func
        else:
            attrs.add(func.attr)
            func = func.value
    return attrs, getattr(func, "id", "")


def _keys(node):
    """Field names spelled out in a dict: {"status": x} or dict(status=x)."""
    if isinstance(node, ast.Dict):
        return {k.value for k in node.keys if isinstance(k, ast.Constant)}
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "dict":
        return {k.arg for k in node.keywords}
    return set()


def _fields_set(call):
    """Fields a call sets: its keywords, **{...}, and get_or_create's defaults={...}."""
    fields = set()
    for keyword in call.keywords:
        if keyword.arg in {None, "defaults", "create_defaults"}:
            fields |= _keys(keyword.value)
        else:
            fields.add(keyword.arg)
    return fields


def _lists_status(node):
    """A literal list of field names that includes status: ["status", "version"]."""
    return isinstance(node, ast.List | ast.Tuple | ast.Set) and any(
        isinstance(e, ast.Constant) and e.value == "status" for e in node.elts
    )


def _field_lists(call):
    """The lists of fields a bulk_update(objs, fields) or a save(update_fields=...) writes."""
    lists = [k.value for k in call.keywords if k.arg in {"fields", "update_fields"}]
    return lists + call.args[1:2] if getattr(call.func, "attr", "") == "bulk_update" else lists


def _text(node):
    """A string literal's text, with an f-string's holes filled in."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)
    return None


def violations_in(source, filename="<source>"):
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        # concern.status = ...  /  request.status = ...  /  concern.status, x = ...
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in _assigned(target):
                    if isinstance(name, ast.Attribute) and name.attr == "status":
                        found.append(f"{filename}:{node.lineno} assigns .status")
        # cursor.execute("UPDATE concerns_concern SET status = %s ...")
        text = _text(node)
        if text and RAW_STATUS_WRITE.search(text):
            found.append(f"{filename}:{node.lineno} sets status in SQL")
        if text and RAW_CHRONOLOGY_WRITE.search(text):
            found.append(f"{filename}:{node.lineno} writes a WorkflowEvent in SQL")
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            attrs, base = _receiver(func)
            fields = _fields_set(node)
            # WorkflowEvent(...), WorkflowEvent.objects.create(...), concern.events.create(...)
            if ("WorkflowEvent" in attrs | {base} and called in WRITES | {"WorkflowEvent"}) or (
                CHRONOLOGY & (attrs - {called}) and called in WRITES
            ):
                found.append(f"{filename}:{node.lineno} writes a WorkflowEvent")
            # Concern.objects.update(status=...), AdviceRequest(**{"status": ...}), .create(...)
            elif "status" in fields and called in WRITES | GUARDED_MODELS:
                found.append(f"{filename}:{node.lineno} sets status=")
            # setattr(concern, "status", ...)
            elif called in {"setattr", "__setattr__"} and any(
                isinstance(a, ast.Constant) and a.value == "status" for a in node.args[:2]
            ):
                found.append(f"{filename}:{node.lineno} sets status with setattr")
            # Concern.objects.bulk_update(objs, ["status"]), concern.save(update_fields=[...])
            elif called in {"bulk_update", "save"} and any(map(_lists_status, _field_lists(node))):
                found.append(f"{filename}:{node.lineno} saves the status field")
    return found


def test_no_module_outside_workflow_writes_status_or_chronology():
    found = []
    for path in _source_files():
        found += violations_in(path.read_text(), path.relative_to(ROOT).as_posix())
    assert found == []


def test_the_scan_reads_every_app_command_and_script_but_the_workflow_layer():
    scanned = {path.relative_to(ROOT).as_posix() for path in _source_files()}
    for expected in [
        "manage.py",
        "workflow/admin.py",
        "workflow/rules.py",
        "workflow/management/commands/send_notifications.py",
        "schools/management/commands/seed_demo.py",
        "concerns/management/commands/purge_drafts.py",
        "concerns/migrations/0001_initial.py",
        "bench/load.py",
        "reports/services.py",
    ]:
        assert expected in scanned
    for exempt in NOT_SCANNED:
        assert (ROOT / exempt).is_file(), f"{exempt} is exempt but no longer exists"
        assert exempt not in scanned
    assert not any(path.startswith("tests/") for path in scanned)


@pytest.mark.parametrize(
    "source",
    [
        "concern.status = 'closed'",
        "concern.status, concern.version = 'closed', 2",
        "Concern.objects.filter(pk=1).update(status='closed')",
        "AdviceRequest.objects.create(status='open')",
        "WorkflowEvent.objects.create(action='x')",
        "from workflow.models import WorkflowEvent\nWorkflowEvent(action='x').save()",
        "WorkflowEvent.objects.filter(concern=c).update(note='')",
        # A WorkflowEvent made through a concern's or a request's related manager.
        "concern.events.create(action='close_concern', to_status='closed', actor=user)",
        "request.events.get_or_create(action='give_advice', actor=user)",
        "concern.events.filter(action='x').update(note='')",
        # Status named in a bulk_update's fields, or in save()'s update_fields.
        "Concern.objects.bulk_update(concerns, ['status'])",
        "AdviceRequest.objects.bulk_update(requests, fields=('status', 'version'))",
        "concern.save(update_fields=['status', 'version'])",
        # Status passed as a spelled-out dict rather than a keyword.
        "Concern.objects.filter(pk=1).update(**{'status': 'closed'})",
        "Concern.objects.filter(pk=1).update(**dict(status='closed'))",
        "Concern.objects.update_or_create(pk=1, defaults={'status': 'closed'})",
        # Status set by name.
        "setattr(concern, 'status', 'closed')",
        "object.__setattr__(concern, 'status', 'closed')",
        # Raw SQL.
        "cursor.execute(\"UPDATE concerns_concern SET status = 'closed' WHERE id = %s\", [pk])",
        "cursor.execute('update advice_advicerequest set version = 3, \"status\" = %s', [s])",
        "cursor.execute(f'UPDATE {table} SET status = %s WHERE id = %s', [s, pk])",
        "cursor.execute('INSERT INTO workflow_workflowevent (action) VALUES (%s)', ['x'])",
    ],
)
def test_the_scan_catches_each_kind_of_write(source):
    """The scan itself must be able to fail."""
    assert violations_in(source)


@pytest.mark.parametrize(
    "source",
    [
        "Concern.objects.filter(status='closed')",
        "Concern.objects.filter(**{'status': 'closed'}).exclude(status='recorded')",
        "Concern.objects.values('status').annotate(n=Count('pk')).order_by('status')",
        "Concern.objects.filter(Q(status='closed'))",
        "WorkflowEvent.objects.filter(concern=c)",
        "concern.events.filter(action='close_concern').exists()",
        "concern.events.count()",
        "events = []\nevents.append(row)",
        "getattr(concern, 'status')",
        "status = concern.status",
        "context['status'] = concern.status",
        "Pupil.objects.bulk_update(pupils, ['year_group'])",
        "pupil.save(update_fields=['year_group'])",
        # The models' own guards on which fields the workflow layer may save.
        "WORKFLOW_FIELDS = frozenset({'status', 'version'})",
        "if not set(update_fields) <= self.WORKFLOW_FIELDS:\n    raise ValueError('no')",
        # Raw SQL that reads status, or updates a row chosen by its status.
        "cursor.execute('SELECT status FROM concerns_concern WHERE id = %s', [pk])",
        "cursor.execute(\"UPDATE concerns_concern SET version = 2 WHERE status = 'closed'\")",
        "cursor.execute('SELECT action FROM workflow_workflowevent')",
    ],
)
def test_the_scan_passes_reads_and_look_alikes(source):
    assert not violations_in(source)
