"""The one-line synopsis ``cm`` prints (kept in a tiny module: ``cm`` alone must start fast)."""

INFO_CLI = "cm {action} {automation} {artifact(s)} {flags} @input.yaml @input.json"
