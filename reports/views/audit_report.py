"""The head teacher's audit report: how the school followed the five steps over a period."""

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from audit.log import record
from safeguarding.reauth import export_needs_second_factor
from schools.models import DSL_ROLES, Role

from ..access import require_role, role_required
from ..exports import html_to_pdf, report_csv
from ..figures import audit_figures
from ..forms import ReportPeriodForm, report_period_form
from ..periods import Period, academic_year_label, academic_years_back
from ..presentation import FULL, GOVERNORS, notes
from ..sections import build_sections

REPORT_ROLES = frozenset({Role.HEAD_TEACHER, *DSL_ROLES})
TEMPLATE = "reports/audit_report.html"
PDF_FRAME = "reports/pdf_base.html"
TITLE = "Safeguarding audit report"
# Rows of each list of exceptions on the page, and in the PDF a head teacher gives governors or
# an inspector; the CSV lists them all. WeasyPrint takes about 4 s a 100 KB of page: five years
# of a busy school's exceptions in full (2.7 MB) took it 5 minutes, far past any request's time
# limit, and 200 rows a list about 11 s.
LISTED = 50
LISTED_IN_PDF = 200


@require_GET
@cache_control(private=True, no_store=True)
@role_required(REPORT_ROLES)
@export_needs_second_factor
def audit_report(request):
    """The report for the school's head teacher and DSLs, as a page, CSV or PDF."""
    membership = require_role(request, REPORT_ROLES)
    school, today = membership.school, timezone.localdate()
    audience = GOVERNORS if request.GET.get("audience") == GOVERNORS else FULL
    form = report_period_form(request.GET)
    if form is not None and not form.is_valid():
        # Sent again, the corrected period shows the version the head asked for.
        return render(request, TEMPLATE, _context(school, form, today, audience=audience))
    period = form.period() if form else Period.academic_year(today)
    form = form or ReportPeriodForm(initial={"start": period.start, "end": period.end})
    output = request.GET.get("format")
    listed = {"csv": None, "pdf": LISTED_IN_PDF}.get(output, LISTED)
    sections = build_sections(
        audit_figures(school, period, now=timezone.now(), listed=listed), audience, listed
    )
    context = _context(school, form, today, period=period, audience=audience, sections=sections)
    audit = {"school": school, "period": period, "audience": audience}
    if output == "csv":
        body = report_csv(
            title=TITLE,
            school=school,
            period=period,
            version=context["version"],
            produced_at=context["generated_at"],
            sections=sections,
            notes=context["notes"],
        )
        return _download(request, body, "text/csv; charset=utf-8", "csv", **audit)
    if output == "pdf":
        html = render_to_string(TEMPLATE, {**context, "base_template": PDF_FRAME}, request)
        pdf = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
        return _download(request, pdf, "application/pdf", "pdf", **audit)
    response = render(request, TEMPLATE, context)
    _audit(request, "report.view", "html", **audit)
    return response


def _audit(request, action, output, *, school, period, audience):
    record(
        action,
        actor=request.user,
        school=school,
        object_type="report",
        object_id="audit",
        format=output,
        audience=audience,
        start=period.start.isoformat(),
        end=period.end.isoformat(),
    )


def _download(request, body, content_type, output, *, school, period, audience):
    response = HttpResponse(body, content_type=content_type)
    suffix = "-governors" if audience == GOVERNORS else ""
    name = f"safeguarding-audit-{school.urn}-{period.slug}{suffix}.{output}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    _audit(request, "report.export", output, school=school, period=period, audience=audience)
    return response


def _period_query(period):
    return urlencode(
        {
            "start_0": period.start.day,
            "start_1": period.start.month,
            "start_2": period.start.year,
            "end_0": period.end.day,
            "end_1": period.end.month,
            "end_2": period.end.year,
        }
    )


def _context(school, form, today, *, period=None, audience=FULL, sections=None):
    years = [
        {"label": academic_year_label(year).capitalize(), "query": _period_query(year)}
        for year in academic_years_back(today, 3)
    ]
    governors = audience == GOVERNORS
    return {
        "title": TITLE,
        "school": school,
        "form": form,
        "period": period,
        "query": _period_query(period) if period else "",
        "years": years,
        "governors": governors,
        "version": "Governors' version" if governors else "Full version, for the school's leaders",
        "sections": sections or [],
        "notes": notes(audience),
        "generated_at": timezone.now(),
    }
