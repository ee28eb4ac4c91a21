"""``python -m pytest_torchkata.cli``: the ``torchkata`` command."""

import sys

from pytest_torchkata.cli import main

sys.exit(main())
