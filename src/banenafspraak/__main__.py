"""`python -m banenafspraak`: the console script banenafspraak (banenafspraak.cli)."""

import sys

from banenafspraak.cli import main

sys.exit(main())
