"""Shared test setup.

The plain-Python oracle in bench/ is importable as `plain_enumerator`, the search-test
helpers as `search_helpers`, and every end-to-end search test shares one synthetic
NB101 index and digits dataset (`search_data`), built once per session.
"""

from __future__ import annotations

import signal
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


@pytest.fixture(scope="session")
def search_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One SYNTHETIC NB101 index (spaces 1-3) + digits dataset for the search tests."""
    from search_helpers import build_search_data

    return build_search_data(tmp_path_factory.mktemp("search-data"))


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C reaches the tests' child processes even when pytest itself ignores it.

    A non-interactive shell starts a background job (`make test &`, `nohup`, some CI runners)
    with SIGINT ignored; Python then keeps it ignored, and every child inherits that. The
    signal tests, which press Ctrl-C on a child `nb1s`, then saw it exit 0 instead of 130
    (reproduced: `bash -c 'pytest tests/test_trust_signals.py & wait'`). Installing Python's
    own handler makes exec reset SIGINT to its default in every child.
    """
    del config
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def _signals_as_found(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test leaves Ctrl-C and SIGTERM as it found them: handlers and the signal mask.

    Either left behind is inherited by child processes (an ignored or blocked SIGINT makes
    later signal tests' children deaf to Ctrl-C), so a test that leaves a change is named
    in a warning and the state is restored for the next.
    """
    watched = (signal.SIGINT, signal.SIGTERM)
    handlers = {sig: signal.getsignal(sig) for sig in watched}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    yield
    changed = [sig.name for sig, h in handlers.items() if signal.getsignal(sig) is not h]
    now = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    if now != mask:
        changed.append(f"mask {sorted(signal.Signals(s).name for s in now)}")
    if changed:
        warnings.warn(f"{request.node.nodeid} left {', '.join(changed)} changed; restored",
                      stacklevel=1)
        for sig, handler in handlers.items():
            if handler is not None:
                signal.signal(sig, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


#: modules whose tests run whole commands end to end (smoke reproductions, signal delivery to
#: child processes, every bad input through a real process): `make test` runs them, `make
#: test-fast` (`-m "not slow and not e2e"`) leaves them out
E2E_MODULES = frozenset({
    "test_reproduce_smoke", "test_trust_signals", "test_trust_executor_interrupts",
    "test_cli_bad_input", "test_bohb_smoke", "test_early_interrupt",
})
#: single whole-command tests in otherwise fast modules: a real `reproduce fig5` stopped by
#: Ctrl-C (18 s) and a real `nb1s run fig3` on a runtime-registered executor (6 s); without
#: them test-fast went from 3 min 13 s to under 3 min on an idle 2-core machine (2026-12-08).
#: With 874 fast tests it took 3 min 58 s at load average 1.5-2.4 (04:11 UTC 2026-12-08); the
#: next five (whole smoke reproductions, then `nb1s diff` of the folder, 9-12 s each; a real
#: `nb1s blackbox` stopped by Ctrl-C, 6 s) were its slowest, 46 s together.
E2E_TESTS = (
    "tests/test_kind_guarantees.py::test_ctrl_c_stops_reproduce_fig5_within_seconds",
    "tests/test_runtime_registration.py::test_an_executor_registered_at_runtime_runs_a_recipe",
    "tests/test_kind_guarantees.py::test_diff_of_a_blackbox_folder_fails_on_a_deleted_or_damaged",
    "tests/test_kind_guarantees.py::test_diff_of_a_fig5_folder_renders_and_fails_on_a_missing_run",
    "tests/test_kind_guarantees.py::test_diff_of_a_fig5_folder_fails_on_a_deleted_or_damaged_bl",
    "tests/test_kind_guarantees.py::test_diff_of_a_fig16_folder_renders_without_json",
    "tests/test_kind_guarantees.py::test_ctrl_c_stops_nb1s_blackbox_within_seconds",
)


#: CPU-heavy numerical tests (each step against the original's re-derivation, ENAS's
#: controller against the original, SMAC runs of 280 trials): marked `slow`, so `make test`
#: runs them and `make test-fast` does not. Measured as CPU seconds per test on the 2-core
#: machine (2026-12-07): the two modules 50 s and 43 s, the SMAC tests 3-11 s each.
SLOW_MODULES = frozenset({"test_search_step_levers", "test_oneshot_enas"})
SLOW_TESTS = (
    "tests/test_discrete_library.py::test_smac_runs_with_and_without_the_shipped_leaf_cap_agree",
    "tests/test_discrete_library.py::test_deterministic_per_seed[SMAC]",
    "tests/test_discrete_library.py::test_smac_records_equal_the_pinned_ones",
    "tests/test_discrete_library.py::test_smac_is_deterministic_across_processes",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark `e2e` every test that runs searches on the shared search data (the
    `search_data` fixture), says it runs `end_to_end` in its name, talks to a real engine
    (`engines`) or sits in `E2E_MODULES`:
    the split between the developers' `make test-fast` and CI's full `make test`.

    Tests marked `original` run the ORIGINAL nasbench-1shot1 code from a checkout that no
    clean clone has: without $NB1S_ORIGINAL_SRC they are deselected (not part of any run,
    so never a skip of the core suite); `make original` sets it."""
    import os

    if not os.environ.get("NB1S_ORIGINAL_SRC"):
        left_out = [item for item in items if item.get_closest_marker("original") is not None]
        if left_out:
            config.hook.pytest_deselected(items=left_out)
            items[:] = [item for item in items if item.get_closest_marker("original") is None]
    for item in items:
        module = item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")
        fixtures = getattr(item, "fixturenames", ())
        if ("search_data" in fixtures or module in E2E_MODULES or "end_to_end" in item.name
                or item.nodeid.startswith(E2E_TESTS)
                or item.get_closest_marker("engines") is not None):
            item.add_marker(pytest.mark.e2e)
        if module in SLOW_MODULES or item.nodeid.startswith(SLOW_TESTS):
            item.add_marker(pytest.mark.slow)
