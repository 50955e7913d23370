"""gui: start the colmind Playground in this process (``cm run script "gui _playground"``).

Upstream launched a Streamlit app; here the server runs as ``python -m colmind.playground`` in a
child process (never ``os.system`` of user text: the arguments are a list).  the variations ``_playground``, ``_main`` and ``_graph``
all open the same web app (its pages cover the three). Stops cleanly on Ctrl-C.
"""


def _flag(value):
    return str(value or '').lower() in ('1', 'true', 'yes', 'on')


def preprocess(i):
    env = i['env']
    argv = ['--host', str(env.get('CM_GUI_HOST') or '127.0.0.1'), '--port', str(env.get('CM_GUI_PORT') or '8765')]
    if env.get('CM_GUI_DB'):
        argv += ['--db', str(env['CM_GUI_DB'])]
    if _flag(env.get('CM_GUI_PRIVATE')):
        argv.append('--private')
    if _flag(env.get('CM_GUI_CREATE_TOKEN')):
        argv.append('--create_token')
        if env.get('CM_GUI_TOKEN_NAME'):
            argv += ['--token_name', str(env['CM_GUI_TOKEN_NAME'])]
    if _flag(env.get('CM_GUI_REINDEX')):
        argv.append('--reindex')
    import importlib.util
    import signal
    import subprocess
    import sys

    if importlib.util.find_spec('fastapi') is None or importlib.util.find_spec('uvicorn') is None:
        return {'return': 1, 'error': 'the playground needs its extra: pip install "colmind[playground]"'}
    # its own process: the server's threads get their own colmind core, and Ctrl-C stops it cleanly
    child = subprocess.Popen([sys.executable, '-m', 'colmind.playground', *argv])
    try:
        code = child.wait()
    except KeyboardInterrupt:  # Ctrl-C: the terminal sent it to both; make sure the server got it
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
        try:
            code = child.wait(timeout=30)
        except (KeyboardInterrupt, subprocess.TimeoutExpired):
            child.kill()
            code = child.wait()
    return {'return': 0} if code in (0, -2, 130) else {'return': 1, 'error': f'playground exited with status {code}'}
