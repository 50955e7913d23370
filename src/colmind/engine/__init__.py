"""The script engine: tag resolution, variations, env flow, native scripts, hooks and the cache.

Entry point for the automations: :func:`colmind.engine.execute.run_script`.
"""
