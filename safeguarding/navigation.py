"""What each role comes to the service to do: the start page's list and the header's menu.

A task whose page has not been built yet is listed without a link.
"""

from django.urls import NoReverseMatch, reverse

from schools.models import Role

START_TASKS = {
    Role.STAFF: [
        ("Record a concern", "concerns:start", "Tell your DSL what you saw or heard."),
        ("My concerns", "concerns:mine", "Concerns you recorded and the step each is at."),
        # Staff teach the lessons that promote the values, and add them (ADR 009).
        (
            "British values log",
            "reports:values",
            "Add the lessons and activities that promote the values (step 5).",
        ),
    ],
    Role.DSL: [
        ("Concerns inbox", "concerns:inbox", "Every open concern and what it needs next."),
        ("Record a concern", "concerns:start", "Record something you saw or heard yourself."),
        ("Pupils", "concerns:pupils", "Add, edit and import the school's pupils."),
        (
            "Leavers' files",
            "concerns:leavers",
            "Child protection files to send to a leaver's new school.",
        ),
        (
            "Subject access",
            "concerns:access_requests",
            "Requests for a pupil's records, and when each answer is due.",
        ),
        (
            "Records to review",
            "concerns:records_reviews",
            "Records of pupils now 25: keep them for longer, or destroy them.",
        ),
        ("Audit report", "reports:audit", "How the school followed the five steps."),
        (
            "Safeguarding policy",
            "reports:policy",
            "The published policy and its Prevent confirmation.",
        ),
        ("British values log", "reports:values", "Curriculum evidence for step 5."),
    ],
    Role.HEAD_TEACHER: [
        ("Audit report", "reports:audit", "How the school followed the five steps."),
        (
            "Concerns",
            "concerns:inbox",
            "The school's open and recently closed concerns, read-only; older ones by status.",
        ),
        (
            "Leavers' files",
            "concerns:leavers",
            "Child protection files still to reach a leaver's new school.",
        ),
        (
            "Subject access",
            "concerns:access_requests",
            "Requests for a pupil's records: those to answer, and how each was answered.",
        ),
        (
            "Records to review",
            "concerns:records_reviews",
            "Records of pupils now 25, and the log of those kept and destroyed.",
        ),
        ("Safeguarding policy", "reports:policy", "Confirm the policy covers Prevent."),
        ("British values log", "reports:values", "Curriculum evidence for step 5."),
    ],
    Role.HUB_ADVISOR: [
        ("Advice queue", "advice:queue", "Advice requests from every school in the authority."),
    ],
    Role.HUB_MANAGER: [
        ("Advice queue", "advice:queue", "Advice requests from every school in the authority."),
        ("Early Help Hub overview", "reports:hub_overview", "Timeliness, volumes and open claims."),
    ],
    Role.LA_ADMIN: [
        ("Sign-in lockouts", "lockouts", "Accounts paused after failed sign-ins."),
        ("Schools and people", "people:schools", "Who works in each school and the hub."),
    ],
}
START_TASKS[Role.DEPUTY_DSL] = START_TASKS[Role.DSL]


def tasks_for(role):
    tasks = []
    for title, url_name, description in START_TASKS[role]:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            url = None
        tasks.append({"title": title, "url": url, "description": description, "name": url_name})
    return tasks
