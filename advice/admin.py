"""Nothing here is in Django's admin: an advice request is a child's data (see concerns.admin)."""
