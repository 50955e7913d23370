"""``python -m colmind.mlc <action> <target> ...`` = ``mlc``."""

import sys

from colmind.mlc.cli import main

sys.exit(main())
