"""``python -m colmind`` = ``cm``."""

from colmind.cli.main import run

if __name__ == "__main__":
    run()
