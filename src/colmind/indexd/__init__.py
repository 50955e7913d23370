"""The index monitor's query serving, above the CLI.

``colmind.store.monitord`` (the storage layer's watcher) answers "what changed" on its own; when
it also serves ``cm find`` queries it loads ``colmind.indexd.query.QueryWorker`` lazily by name
(``colmind.store.monitord.QUERY_WORKER``), so that ``colmind.store`` never imports the command
line, the automations or the core it runs.
"""
