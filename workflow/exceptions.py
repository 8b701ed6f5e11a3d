from schools.exceptions import Refused


class TransitionRefused(Refused):
    """The one domain exception of the workflow layer: a transition was refused and nothing
    was written. `message` and `field` as `Refused` has them."""


class Stale(TransitionRefused):
    """Refused because the form was drawn before a colleague's change to the same record. The
    page is brought up to date (what it shows, and the version it answers to), with what was
    typed kept, so that the person decides again knowing what the colleague did."""
