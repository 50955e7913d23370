"""``python -m colmind.mlc.toplevel [--install|--uninstall]`` (see the package docstring)."""

import sys

from colmind.mlc import toplevel

if "--install" in sys.argv[1:]:
    print(f"installed {toplevel.install()}")
elif "--uninstall" in sys.argv[1:]:
    print(f"removed {toplevel.uninstall()}")
else:
    print(toplevel.folder())
