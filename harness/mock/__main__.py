"""``python -m harness.mock``: see :mod:`harness.mock.cli` for the flags."""

# Patch before anything else is imported, as every gevent program must.
from gevent import monkey

monkey.patch_all()

import sys  # noqa: E402

from harness.mock.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
