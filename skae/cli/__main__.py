"""``python -m skae.cli``: the same as the ``skae`` command."""

import sys

from . import main

sys.exit(main())
