import pytest

from harness import Shell


@pytest.fixture
def shell(tmp_path):
    s = Shell(tmp_path / "log")
    yield s
    try:
        s.sb.shutdown()
    except Exception:  # already shut down by the test
        pass
