class Refused(Exception):
    """A change was refused and nothing was written.

    `message` is written for the person who tried, saying what to do instead. `field`, when
    set, names the form field the problem belongs to, so a page can show it beside that field;
    for a date and time, the part that is wrong ("held_at:date", "held_at:time"), as the day
    and the time are put right in different boxes.
    The workflow layer's refusals are the subclass `workflow.exceptions.TransitionRefused`;
    this app raises this one, as it sits below the workflow layer (DESIGN §5).
    """

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self):
        return self.message
