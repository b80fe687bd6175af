import gc

import pytest

from harness import Shell


@pytest.fixture(autouse=True)
def collect_cores_on_the_main_thread():
    """Collects a test's leftover reference cycles (a failed assertion's traceback holds its
    shell) on the main thread after the test. Left to the cyclic collector, a Switchboard can be
    freed on a core thread inside a later test's port callback, and freeing a Switchboard there
    panics in Rust: test_faults.py::test_releasing_a_core_inside_a_port_callback_is_safe."""
    yield
    gc.collect()


def _shutdown(shell):
    try:
        shell.sb.shutdown()
    except Exception:  # already shut down by the test
        pass


@pytest.fixture
def shell(tmp_path):
    """A shell on a fresh data dir that answers like a phone whose SDK always gets ready and
    whose user allowed everything."""
    s = Shell(tmp_path / "log")
    yield s
    _shutdown(s)


@pytest.fixture
def shell_factory(tmp_path):
    """shell_factory(**knobs): a shell on a fresh data dir with harness.Shell's knobs (init,
    login, answers, raises) and config options (permissions, session_type, join_timeout_ms,
    mode). Each is shut down after the test."""
    made = []

    def make(**kw):
        s = Shell(tmp_path / f"log{len(made)}", **kw)
        made.append(s)
        return s

    yield make
    for s in made:
        _shutdown(s)
