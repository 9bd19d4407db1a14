"""The newcomer frictions of issue 22, each one fixed and kept fixed by a test here.

Fast tests: library calls where the behaviour lives in the library, the real `nb1s`
executable (piped, as in CI logs) where it lives in the command line.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nb1s.atomic import atomic_dir, atomic_open, atomic_write_many
from nb1s.harness.errors import UserError

NB1S = str(Path(sys.executable).parent / "nb1s")
REPO = Path(__file__).resolve().parents[1]


def nb1s(*args: str, columns: str | None = None, stdin: str | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ)
    full.pop("COLUMNS", None)
    if columns is not None:
        full["COLUMNS"] = columns
    full.update(env or {})
    return subprocess.run([NB1S, *args], capture_output=True, text=True, env=full,
                          input=stdin, timeout=180)


# ---------------------------------------------------------------- tables at 80 columns


def test_ls_at_80_columns_keeps_every_title_whole() -> None:
    from nb1s.harness.recipe.catalog import recipe_files
    from nb1s.harness.recipe.schema import parse_recipe

    done = nb1s("ls", columns="80")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80 and "…" not in done.stdout
    titles = [parse_recipe(f).title for f in recipe_files()]
    short = [t for t in titles if len(t) <= 66]  # room left of the name column
    assert short and all(any(t in line for line in lines) for t in short)


def test_table1_at_80_columns_keeps_row_labels_and_numbers() -> None:
    done = nb1s("reproduce", "table1", columns="80")
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 80
    for label in ("configurations", "pruned topologies", "w/ loose ends", "w/o loose ends",
                  "w/o isomorphism"):
        assert any(label in line for line in done.stdout.splitlines()), label
    row = next(line for line in done.stdout.splitlines() if "w/ loose ends" in line)
    assert "16,632 ≠ 29,160" in row  # the one published cell that differs, both numbers


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("frictions22")
    for args in (("data", "synth", "--out", str(root / "s.tfrecord"), "--models", "5",
                  "--json"),
                 ("data", "import", str(root / "s.tfrecord"), "--into", str(root / "idx"),
                  "--json")):
        done = nb1s(*args)
        assert done.returncode == 0, done.stderr
    return root / "idx"


def test_data_info_shows_the_whole_sha256_at_80_columns(index: Path) -> None:
    sha = json.loads((index / "provenance.json").read_text())["source"]["sha256"]
    done = nb1s("data", "info", "--data-dir", str(index), columns="80")
    assert done.returncode == 0, done.stderr
    assert any(sha in line for line in done.stdout.splitlines())
    narrow = nb1s("data", "info", "--data-dir", str(index), columns="50")
    assert sha in "".join(line.strip() for line in narrow.stdout.splitlines())  # folded


# ---------------------------------------------------------------- optimizer names


def test_optimizer_names_are_case_insensitive_in_both_families() -> None:
    from nb1s.harness.blackbox_runs.grid import check_optimizer
    from nb1s.optimizers import get_method

    assert get_method("DARTS").name == "darts" and get_method("PcDarts").name == "pcdarts"
    assert check_optimizer("rs") == "RS" and check_optimizer("Bohb") == "BOHB"
    assert check_optimizer("RE") == "RE"
    from nb1s.harness.recipe.optimizer_catalog import registered_spelling

    assert registered_spelling("PCDARTS") == "pcdarts"  # `nb1s check PCDARTS`
    assert registered_spelling("nope") == "nope"
    with pytest.raises(ValueError, match="unknown optimizer 'dartz'"):
        get_method("dartz")
    with pytest.raises(UserError, match="unknown black-box optimizer 'rx'"):
        check_optimizer("rx")


# ---------------------------------------------------------------- nb1s hash


def test_hash_exits_2_when_every_line_is_invalid() -> None:
    bad = nb1s("hash", stdin='garbage\n{"matrix": 1}\n')
    assert bad.returncode == 2
    assert len(bad.stdout.splitlines()) == 2  # each line still answered in place
    assert bad.stderr.count("\n") == 1 and "none of the 2 input line(s)" in bad.stderr
    mixed = nb1s("hash", stdin='{"matrix": [[0, 1], [0, 0]], "ops": ["input", "output"]}\n'
                               "garbage\n")
    assert mixed.returncode == 0 and '"hash"' in mixed.stdout.splitlines()[0]
    assert nb1s("hash", stdin="").returncode == 0


# ---------------------------------------------------------------- validate: spaces


@pytest.mark.parametrize(("recipe", "old", "new", "field"), [
    ("fig2", "    spaces: [1]\n", "    spaces: [9]\n", "profiles.smoke.spaces"),
    ("fig2", "  spaces: {value: [1, 2, 3],", "  spaces: {value: [1, 2, 9],", "search.spaces"),
    ("fig5", "      spaces: [3]\n", "      spaces: [9]\n", "profiles.smoke.settings.spaces"),
    ("blackbox", "    spaces: [1]\n", "    spaces: [0]\n", "profiles.smoke.spaces"),
])
def test_validate_refuses_a_space_that_does_not_exist(tmp_path: Path, recipe: str, old: str,
                                                      new: str, field: str) -> None:
    from nb1s.harness.recipe.schema import RecipeError, parse_recipe

    text = (REPO / "recipes" / f"{recipe}.yaml").read_text()
    assert text.count(old) == 1
    path = tmp_path / f"{recipe}.yaml"
    path.write_text(text.replace(old, new))
    parse_recipe(REPO / "recipes" / f"{recipe}.yaml")  # the shipped recipe is fine
    with pytest.raises(RecipeError) as caught:
        parse_recipe(path)
    line = text[:text.index(old)].count("\n") + 1
    problem = next(p for p in caught.value.problems if p.field == field)
    assert problem.file == str(path) and problem.line == line


# ---------------------------------------------------------------- nb1s check


def test_check_refuses_a_recipe_reproduce_compares_with_the_paper_only() -> None:
    from nb1s.harness.experiments.dispatch import registered
    from nb1s.harness.experiments.search_curves.check import (
        checkable_recipes,
        require_checkable,
    )
    from nb1s.harness.recipe.catalog import load_recipe, recipe_files

    with pytest.raises(UserError, match=r"fig6 is of kind 'distribution'.*fig2"):
        require_checkable(load_recipe("fig6"))
    allowed = set(checkable_recipes())
    assert {"fig2", "fig7"} <= allowed
    for path in recipe_files():
        recipe = load_recipe(str(path))
        if recipe.name in allowed:
            # what check would recommend (`reproduce NAME --store-reference`) is accepted
            kind = registered(recipe.kind)
            assert kind is not None and not kind.paper_only, recipe.name
            require_checkable(recipe)
        else:
            with pytest.raises(UserError):
                require_checkable(recipe)


def test_check_imports_a_plugin_from_the_current_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from nb1s.harness.recipe.optimizer_catalog import load_plugin
    from nb1s.optimizers import METHODS

    package = tmp_path / "my_nas_22"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "snas_like.py").write_text(
        "from nb1s.optimizers import GumbelMixing, OneShotMethod\n"
        "class SoftGumbel(OneShotMethod):\n"
        "    name = 'soft-gumbel-22'\n"
        "    def make_mixing(self, hp):\n"
        "        return GumbelMixing(1.0, skip_unsampled=False)\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # the console script's view: neither '' nor the current folder on the import path
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", os.getcwd())])
    monkeypatch.setenv("PYTHONPATH", "/some/other/dir")
    try:
        monkeypatch.chdir(elsewhere)
        with pytest.raises(UserError, match="add that folder to PYTHONPATH"):
            load_plugin("my_nas_22.snas_like:SoftGumbel")
        monkeypatch.chdir(tmp_path)
        cls = load_plugin("my_nas_22.snas_like:SoftGumbel")
        assert cls.name == "soft-gumbel-22" and METHODS["soft-gumbel-22"] is cls
        assert os.environ["PYTHONPATH"].split(os.pathsep) == [str(tmp_path), "/some/other/dir"]
        assert "imported 'my_nas_22' from the current folder" in capsys.readouterr().err
    finally:
        METHODS.pop("soft-gumbel-22", None)
        for name in [m for m in sys.modules if m.startswith("my_nas_22")]:
            del sys.modules[name]


# ---------------------------------------------------------------- BOHB warnings


def test_bohb_prints_no_statsmodels_future_warning() -> None:
    from statsmodels.nonparametric.kernel_density import KDEMultivariate

    from nb1s.optimizers.discrete import encoding_for
    from nb1s.optimizers.discrete.categorical_kde import UNUSED_RNG_NOTICE
    from nb1s.optimizers.discrete.hyperband import MAX_BUDGET, bohb
    from nb1s.optimizers.discrete.objective import synthetic_objective

    def notices(caught: list[warnings.WarningMessage]) -> int:
        return sum(issubclass(w.category, FutureWarning) and "January 2028" in str(w.message)
                   for w in caught)

    data = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0]])
    with warnings.catch_warnings(record=True) as direct:
        warnings.simplefilter("always")
        KDEMultivariate(data=data, var_type="uu", bw="normal_reference")
    assert notices(direct) == 1  # the notice exists in this statsmodels: the test can fail
    assert "January 2028" in UNUSED_RNG_NOTICE
    objective = synthetic_objective(encoding_for(1).space.num_configs, seed=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records = bohb(1, objective, 0, 6 * MAX_BUDGET).records
    assert len(records) > 40 and notices(caught) == 0
    assert not [w for w in caught if issubclass(w.category, FutureWarning)]


# ---------------------------------------------------------------- full disk


def _no_space() -> OSError:
    return OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_names_the_file_asked_for(tmp_path: Path) -> None:
    dest = tmp_path / "results" / "aggregate.json"
    with pytest.raises(OSError) as caught, atomic_open(dest) as fh:
        fh.write(b"{")
        raise _no_space()  # what a write or flush on a full disk raises: no file name
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(dest)
    assert list(dest.parent.iterdir()) == []  # nothing half-written, no temporary left



def test_a_batch_that_fills_the_disk_at_fsync_names_its_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int) -> None:  # delayed allocation: the disk is found full at fsync
        raise _no_space()

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as caught:
        atomic_write_many([(tmp_path / "a.npy", b"a"), (tmp_path / "b" / "c.npy", b"c")])
    assert caught.value.errno == errno.ENOSPC
    assert caught.value.filename == str(tmp_path / "a.npy")  # the first file flushed
    assert not list(tmp_path.glob("**/.*.tmp")) and not (tmp_path / "a.npy").exists()


def test_an_index_directory_error_names_the_index_not_its_temporary(tmp_path: Path) -> None:
    dest = tmp_path / "idx"
    with pytest.raises(OSError) as caught, atomic_dir(dest) as tmp:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp / "adjacency.npy"))
    assert caught.value.filename == str(dest / "adjacency.npy")
    assert not dest.exists() and list(tmp_path.iterdir()) == []


def test_a_temporary_name_from_mkstemp_is_reported_as_the_destination(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "run.json"

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / ".run.json.x.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(OSError) as caught, atomic_open(dest):
        pass
    assert caught.value.filename == str(dest)
    other = OSError(errno.EACCES, "Permission denied", "/etc/elsewhere")
    monkeypatch.setattr(tempfile, "mkstemp", lambda *a, **k: (_ for _ in ()).throw(other))
    with pytest.raises(OSError) as untouched, atomic_open(dest):
        pass
    assert untouched.value is other  # an error about another file keeps its own name


def _numpy_short_write(monkeypatch: pytest.MonkeyPatch, free_blocks: int) -> None:
    """np.save on a full disk: numpy's tofile raises `OSError("N requested and M written")`
    (no errno, no file name; reproduced on a 200 KiB tmpfs with `nb1s data import`), and
    the file system then has `free_blocks` blocks left."""
    import numpy.lib.format

    def short(*args: Any, **kwargs: Any) -> None:
        raise OSError("133427 requested and 110464 written")

    class Stats:
        def __init__(self, path: Any) -> None:
            self.f_bavail = free_blocks
            self.f_favail = 1000 if free_blocks else 0

    monkeypatch.setattr(numpy.lib.format, "write_array", short)
    monkeypatch.setattr(os, "statvfs", Stats)


def test_a_full_disk_under_numpy_names_the_index_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`nb1s data import` onto a full disk printed only `133427 requested and 110464
    written`: now the file of the index and the reason, with ENOSPC."""
    from nb1s.harness.nb101.importer import _write

    _numpy_short_write(monkeypatch, free_blocks=0)
    dest = tmp_path / "idx"
    with pytest.raises(OSError) as caught, atomic_dir(dest) as tmp:
        _write(tmp, "adjacency.npy", np.zeros(3))
    assert caught.value.errno == errno.ENOSPC
    assert caught.value.filename == str(dest / "adjacency.npy")
    assert "No space left on device (133427 requested and 110464 written)" in str(caught.value)
    assert list(tmp_path.iterdir()) == []  # no half-written index
    with pytest.raises(OSError) as through, atomic_open(tmp_path / "cols.npy") as fh:
        np.save(fh, np.zeros(3))  # the spec lookup's columns: np.save into atomic_open
    assert through.value.filename == str(tmp_path / "cols.npy")


def test_a_short_write_with_room_left_is_an_io_error_not_a_full_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nb1s.atomic import short_write_error

    _numpy_short_write(monkeypatch, free_blocks=1000)
    with pytest.raises(OSError) as caught, atomic_open(tmp_path / "a.npy") as fh:
        np.save(fh, np.zeros(3))
    assert caught.value.errno == errno.EIO and caught.value.filename == str(tmp_path / "a.npy")
    other = OSError("something else")  # not numpy's short write: left as it is
    assert short_write_error(other, tmp_path / "a.npy") is None


# ---------------------------------------------------------------- blackbox without data


def test_blackbox_without_data_names_the_file_each_optimizer_needs(tmp_path: Path) -> None:
    empty = tmp_path / "nodata"
    hb = nb1s("blackbox", "hb", "--space", "1", "--seeds", "0", "--out", str(tmp_path / "o"),
              env={"NB1S_DATA_DIR": str(empty)})
    assert hb.returncode == 2 and hb.stderr.count("\n") == 1
    assert "nb1s data import nasbench_full.tfrecord" in hb.stderr
    assert "nasbench_only108.tfrecord (" not in hb.stderr  # not offered as a download
    rs = nb1s("blackbox", "RS", "--space", "1", "--seeds", "0", "--out", str(tmp_path / "o"),
              env={"NB1S_DATA_DIR": str(empty)})
    assert rs.returncode == 2 and "nb1s data import nasbench_only108.tfrecord" in rs.stderr


# ---------------------------------------------------------------- one plot folder


def test_bohb_render_lists_plots_of_new_and_old_results(
        capsys: pytest.CaptureFixture[str]) -> None:
    from nb1s.harness.experiments.bohb.kind import KIND
    from nb1s.harness.experiments.bohb.settings import PLOTS

    assert PLOTS == "plots"
    base: dict[str, Any] = {"diff": {"rows": [], "verdict": {"line": "ok"}}}
    KIND.render({**base, "plots": ["R/plots/fig5.png"]})
    KIND.render({**base, "figures": ["R/figures/fig5.png"]})  # written before the rename
    out = capsys.readouterr().out
    assert "plot: R/plots/fig5.png" in out and "plot: R/figures/fig5.png" in out


def test_no_kind_writes_a_figures_folder() -> None:
    sources = "".join(p.read_text() for p in (REPO / "harness" / "experiments").rglob("*.py"))
    assert 'results / "figures"' not in sources and "/ PLOTS" in sources
