class TransitionRefused(Exception):
    """The one domain exception: a transition was refused and nothing was written.

    `message` is written for the person who tried, saying what to do instead. `field`, when
    set, names the form field the problem belongs to, so a page can show it beside that field.
    """

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self):
        return self.message
