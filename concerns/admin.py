"""Nothing here is in Django's admin: concerns, their steps and addenda are a child's data.

The service's own pages show them, each to the people of the school (or the hub) it concerns
and with every read in the audit trail. The admin is scoped to nobody and audits nothing, and
changes to a concern go through the workflow layer alone.
"""
