from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from advice.views.access import hub_manager_only
from audit.log import record
from reports.exports import SafeWriter
from reports.hub_overview import RECEIVED_NOTE, PeriodForm, default_period, hub_overview
from safeguarding import clock
from safeguarding.reauth import export_needs_second_factor


@require_GET
@hub_manager_only
@export_needs_second_factor
def overview(request):
    """The hub manager's overview of their authority's hub; `?format=csv` downloads it."""
    membership, now = request.membership, timezone.now()
    form = PeriodForm(request.GET if "start_0" in request.GET else None)
    start, end = default_period(timezone.localdate(now))
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    elif not form.is_bound:
        form = PeriodForm(initial={"start": start, "end": end})
    overview = hub_overview(membership, now=now, start=start, end=end)
    export = request.GET.get("format") == "csv"
    record(
        "report.export" if export else "report.view",
        actor=request.user,
        authority=membership.local_authority,
        object_type="report",
        object_id="hub_overview",
        start=start.isoformat(),
        end=end.isoformat(),
    )
    if export:
        return _csv(overview, membership.local_authority)
    return render(
        request,
        "reports/hub_overview.html",
        {
            "form": form,
            "overview": overview,
            "received_note": RECEIVED_NOTE,
            "csv_query": _period_query(start, end, format="csv"),
        },
    )


def _period_query(start, end, **more):
    parts = {"start_0": start.day, "start_1": start.month, "start_2": start.year}
    parts |= {"end_0": end.day, "end_1": end.month, "end_2": end.year}
    return urlencode(parts | more)


def _csv(overview, authority):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"hub-overview-{authority.code}-{timezone.localdate(overview.now):%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # so that spreadsheet programs read the file as UTF-8
    writer = SafeWriter(response)
    writer.writerow([f"Early Help Hub overview, {authority.name}"])
    now = timezone.localtime(overview.now)
    writer.writerow(["As at", f"{now:%d/%m/%Y %H:%M}{clock.zone_suffix(now)}"])
    writer.writerow(["Requests received from", f"{overview.start:%d/%m/%Y}"])
    writer.writerow(["Requests received to", f"{overview.end:%d/%m/%Y}"])
    writer.writerow([RECEIVED_NOTE])
    for table in overview.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.headers)
        writer.writerows(table.rows)
        # What the figures mean, as the page says under each table: without it a reader of
        # the file sees categories adding up to more than the requests, say.
        if table.note:
            writer.writerow([table.note])
    return response
