"""The five-step safeguarding process, enforced. No views live here.

The local authority's process (its letter to parents, July 2016) has five steps:

1. The school records the concern, in line with its own safeguarding policy.
   -> `workflow.concerns.record_concern` (status RECORDED). A recorded concern is never
   edited: corrections and updates are addenda (`add_addendum`).
2. The school seeks advice from the authority's Early Help Hub.
   -> `workflow.advice.request_hub_advice` (WITH_HUB); the hub claims the request
   (`claim_advice_request`; `release_`, `reassign_`, `rerate_advice_request`) and answers it
   (`give_advice`: ADVICE_RECEIVED). The school may withdraw an unanswered request, and may
   ask again later for follow-up advice.
3. In most cases the school then talks with the parent or carer
   (`log_parent_conversation`: PARENT_CONVERSATION_LOGGED), unless there is an indication of
   significant harm, when the normal escalation applies (`escalate_significant_harm`:
   ESCALATED, from any open status, by the school's DSLs or by the hub). A conversation
   logged as not held, other than for the child's safety, may be followed by the one that
   happens later.
4. There is no separate Prevent pathway: radicalisation is one category of the one taxonomy,
   and a Prevent referral is one escalation target. Prevent concerns use these same functions.
5. The school promotes the fundamental British values through its curriculum (evidence is
   recorded in the reports app; it is not a transition of a concern).

A concern is closed with an outcome and a rationale (`close_concern`), after the parent
conversation or an escalation, or straight from RECORDED as a DSL's decision of no further
action, which needs a full-sentence rationale and is reported as an exception. A closed
concern can be reopened with a reason (`reopen_concern`), keeping its history.

Rules every transition follows:
- It is the only way a concern's or an advice request's status changes. Views, forms, the
  admin and commands call these functions; nothing else assigns `status` or creates
  WorkflowEvents (a test scans the code).
- It takes the acting user as the keyword-only `by=`, checks their role and tenancy (a DSL
  acts only in their school, hub staff only for schools of their authority, staff only on
  what they recorded), the source status (the table in `workflow.rules`), and the data it
  needs. Then, in one transaction with the concern's row locked, it writes the record, one
  WorkflowEvent, one AuditEvent and any notifications; emails go out only after commit.
- A refused transition raises `workflow.exceptions.TransitionRefused` with a message a person
  can act on, and writes nothing. A form posted from a stale page (`expected_version`) is
  refused, not applied. Two advisors cannot both claim one request. A request claimed by
  someone who has since left the hub (hub role ended, account switched off) counts as
  unclaimed: anyone at the hub may claim it (`rules.request_target`, docs/adr/001).
- A concern's `version` moves on with every change the school sees or acts on; the hub
  claiming, releasing or reassigning a request moves only the request's own `version`, which
  the hub's forms check. So a DSL's page on the concern is not refused as out of date because
  someone at the hub picked the request up. A move that steps the concern's version on does
  it through `core.history`, which keeps on its WorkflowEvent the version it produced
  (`concern_version`): what a stale page missed is read from that (advice/selectors.py
  `changes_since`), not counted (docs/adr/013).
"""
