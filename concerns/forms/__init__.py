"""Forms for the concerns app, one module per page family."""
