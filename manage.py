#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
    # Every command, Django's too: a database that cannot be reached is one line, not a
    # traceback (safeguarding/reach.py).
    from safeguarding.reach import run_command

    run_command(sys.argv)
