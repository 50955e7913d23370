"""Containers for recipes (``cm docker script``, ``cm dockerfile script``, ``cm run script --docker``).

Layout (this package sits above :mod:`colmind.api` and uses it; the ``script`` automation reaches
it only through the lazily loaded plug-in table ``colmind.automations.script.CONTAINER_ACTIONS``):

* :mod:`.settings`   the ``--docker_*`` flag table, its precedence rules and warnings (pure);
* :mod:`.distros`    base images and package commands per OS (pure);
* :mod:`.mounts`     host path -> container path rules (pure);
* :mod:`.planner`    recipe + inputs + settings -> :class:`~.planner.ContainerPlan` (pure, no I/O);
* :mod:`.context`    the build context: colmind's wheel, pure-Python wheels, repository folders;
* :mod:`.engines`    executors for docker, podman and apptainer that consume a plan (argv lists);
* :mod:`.action`     the automation actions (orchestrators);
* :mod:`.readmes`    ``python -m colmind.container.readmes``: regenerate/check the built-in READMEs.
"""
