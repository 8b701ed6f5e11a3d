from django.core.checks import Warning, register
from django.utils import timezone

from .working_time import TABLE_YEARS


@register()
def bank_holidays_cover_next_year(app_configs, **kwargs):
    """Due times need next year's bank holidays before the year turns."""
    next_year = timezone.localdate().year + 1
    if next_year in TABLE_YEARS:
        return []
    return [
        Warning(
            f"The bank holiday table has no dates for {next_year}.",
            hint="Add them to BANK_HOLIDAYS in workflow/working_time.py from gov.uk/bank-holidays.",
            id="workflow.W001",
        )
    ]
