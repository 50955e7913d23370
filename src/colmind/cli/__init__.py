"""The ``cm`` command line: grammar, entry points and rendering."""
