"""The Early Help Hub's pages: the queue, a request, and one form page per move."""
