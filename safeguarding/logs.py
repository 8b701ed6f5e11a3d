"""How the service's log lines are written: for the operator, never with a child's data.

An exception's message may quote what it was working on: a database error names the row it
refused ("Failing row contains (…, Amelia, Ahmed, …)"), a check the value it did not accept.
So a logged exception keeps its traceback (where the fault is) and each exception's type, and
leaves out every message.
"""

import logging
import traceback


class WithoutMessages(logging.Formatter):
    def formatException(self, exc_info):
        error, seen, parts = exc_info[1], set(), []
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            kind = type(error)
            parts.append(
                "Traceback (most recent call last):\n"
                + "".join(traceback.format_tb(error.__traceback__))
                + f"{kind.__module__}.{kind.__qualname__} (message not logged: it may quote a "
                "record)"
            )
            error = error.__cause__ or error.__context__
        return "\n\nThe above was raised while handling:\n\n".join(parts)
