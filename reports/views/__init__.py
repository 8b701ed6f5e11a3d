"""Views for the reports app, one module per report."""
