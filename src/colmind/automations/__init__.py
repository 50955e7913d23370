"""Automations: the built-in ones and the loader for automations found in repositories."""
