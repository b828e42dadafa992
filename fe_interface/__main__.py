"""``python -m fe_interface ...``: the ``fe-interface`` command (e.g. in the Docker image)."""

import sys

from fe_interface.cli import main

sys.exit(main())
