"""``python -m colmind.playground [--host=] [--port=] [--db=] [--private] [--create_token]``."""

import sys

from colmind.playground import main

sys.exit(main())
