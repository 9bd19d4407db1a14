"""nb1s in a real Docker engine (`make engines`), in the CPU image (`make docker-cpu`).

The image itself: its user is not root, the CA bundle the build was given is in none of
its files, a container without network runs nb1s. Then one flow over `nb1s reproduce fig2
--profile smoke --executor docker`, so the ten runs are paid for once: Ctrl-C once a run
is complete (every container stopped and removed, exit 130), a resume to the end (only the
missing runs started; the same records and PASS as the local executor). A missing image is
one line before anything starts. Skipped, with the reason, where no engine answers.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from engine_flow import (
    assert_equals_local,
    complete_runs,
    fig2_args,
    interrupt,
    records,
    run,
    start,
    wait_until,
)
from engines import IMAGE, docker_reason, nb1s_containers

REASON = docker_reason()
pytestmark = [pytest.mark.engines,
              pytest.mark.skipif(REASON is not None, reason=f"Docker: {REASON}")]
#: the CA bundle docker/build hands to the build as a secret (pip's `cert` on CI machines)
BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def docker(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout,
                          check=False)


def test_the_image_runs_as_a_user_and_without_network() -> None:
    done = docker("run", "--rm", "--network", "none", "--entrypoint", "sh", IMAGE, "-c",
                  "id -u; nb1s validate --json")
    assert done.returncode == 0, done.stderr
    uid, rest = done.stdout.split("\n", 1)
    assert uid.strip() not in ("", "0")
    assert json.loads(rest)["ok"] is True


def test_the_build_secret_is_in_no_layer() -> None:
    """The last certificate of the bundle (a site's own, where a proxy adds one) appears
    in no file of the image; a certificate every bundle has would prove nothing."""
    if not BUNDLE.is_file():
        pytest.skip(f"no {BUNDLE} on this machine to look for")
    blocks = BUNDLE.read_text().split("-----BEGIN CERTIFICATE-----")
    line = blocks[-1].strip().splitlines()[1]  # a line of base64 from the last certificate
    # every file under 4 MB (a bundle is about 200 KB; torch's libraries are skipped)
    done = docker("run", "--rm", "--network", "none", "--user", "0", "--entrypoint", "sh",
                  IMAGE, "-c", "find / \\( -path /proc -o -path /sys \\) -prune -o -type f "
                  f"-size -4M -print0 | xargs -0 grep -lsF -- '{line}' || true", timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", done.stdout


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("docker")
    out, data = root / "fig2", root / "data"
    argv = fig2_args(out, data, "--executor", "docker", "--image", IMAGE, "--workers", "2")
    seen: dict[str, Any] = {"out": out, "data": data}
    proc = start(argv)
    wait_until(lambda: len(complete_runs(out)) >= 1, 600, "a first run completes", proc)
    seen["ctrl_c"] = interrupt(proc, timeout=120)
    seen["containers_after_ctrl_c"] = nb1s_containers()
    seen["complete_after_ctrl_c"] = complete_runs(out)
    done = run(argv)
    seen["final"] = done
    seen["result"] = json.loads(done.stdout) if done.stdout.strip() else {}
    return seen


def test_ctrl_c_stops_and_removes_every_container(flow: dict[str, Any]) -> None:
    code, err, seconds = flow["ctrl_c"]
    assert code == 130, err
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and "resume with: nb1s " in lines[0], err
    assert "container(s) were stopped and removed" in lines[0]
    assert flow["containers_after_ctrl_c"] == []
    assert seconds < 90


def test_resume_starts_only_the_missing_runs_and_equals_the_local_run(
        flow: dict[str, Any]) -> None:
    done, result, out = flow["final"], flow["result"], flow["out"]
    assert done.returncode == 0, done.stderr
    skipped = result["run"]["skipped"]
    missing = set(result["run"]["started"]) | set(result["run"]["resumed"])
    assert set(flow["complete_after_ctrl_c"]) <= set(skipped)
    assert len(skipped) + len(missing) == 10 and len(missing) < 10
    assert_equals_local(out, result)
    assert len(records(out)) == 10
    assert result["run"]["executor"]["executor"] == "docker"


def test_a_missing_image_is_one_line(flow: dict[str, Any], tmp_path: Path) -> None:
    done = run(fig2_args(tmp_path / "o", flow["data"], "--executor", "docker", "--image",
                         "nb1s:absent"), timeout=300)
    lines = [x for x in done.stderr.splitlines() if x.strip()]
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert "has no image nb1s:absent" in lines[0]
    assert nb1s_containers() == []
