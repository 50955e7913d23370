"""The ``experiment`` automation (UID a0a2d123ef064bcb): ``run``, ``rerun``, ``replay``, ``test`` and the
common actions (find, add, rm, mv...). Named by the built-in meta's ``colmind_class``."""

from __future__ import annotations

from typing import Any

from colmind.automations.base import Automation, is_console


class ExperimentAutomation(Automation):
    """Managing and reproducing experiments."""

    def run(self, i: dict[str, Any]) -> dict[str, Any]:
        """Run a command once per point of a sweep and record each step:
        ``cm run experiment [NAME] [--tags=a,b] [--explore.VAR=EXPR] [@input.yaml] [--env.K=V]
        [--dir=NAME] [--jobs=N] [--keep_going] [--executor=local] [--explore_strategy=grid] -- COMMAND``
        (``cme`` for short; ``{{VAR}}`` and ``{{VAR{EXPR}}}`` in the command)."""
        from colmind.experiment import runner

        return runner.run(i, rerun=bool(i.get("rerun")))

    def rerun(self, i: dict[str, Any]) -> dict[str, Any]:
        """Resume a sweep in its run folder: only steps without a successful record run
        (``cm rerun experiment --tags=... [--dir=NAME] [-- COMMAND]``; without a command, the saved one)."""
        from colmind.experiment import runner

        return runner.run(i, rerun=True)

    def replay(self, i: dict[str, Any]) -> dict[str, Any]:
        """Re-run recorded steps and compare: ``cm replay experiment --tags=... [--uid=RECORD]
        [--dir=NAME] [--tolerance=5]``; ``cm replay experiment --record=cm-run-record.json``
        re-runs a ``cm run script`` request and compares its cache keys."""
        from colmind.experiment import replay

        if i.get("record") or str(i.get("artifact") or "").endswith(".json"):
            return replay.replay_run_record(i)
        return replay.replay_steps(i)

    def pareto(self, i: dict[str, Any]) -> dict[str, Any]:
        """The non-dominated records of a run: ``cm pareto experiment NAME --objective=max:KEY
        --objective=min:KEY [--constraint=EXPR] [--dir=RUN] [--out=json]``; writes cm-pareto.json."""
        from colmind.experiment import pareto_action

        return pareto_action.pareto_experiment(i)

    def test(self, i: dict[str, Any]) -> dict[str, Any]:
        """Print the input (CM's ``test`` action of this automation)."""
        import json

        shown = {k: v for k, v in i.items() if k not in ("parsed_automation", "parsed_artifact", "cmd")}
        if is_console(i):
            print(json.dumps(shown, indent=2, sort_keys=True, default=str))
        return {"return": 0, "input": shown}
