from schools.exceptions import Refused


class TransitionRefused(Refused):
    """The one domain exception of the workflow layer: a transition was refused and nothing
    was written. `message` and `field` as `Refused` has them."""
