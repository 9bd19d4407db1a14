"""The one submitit integration: a function mapped over its inputs as ONE Slurm job array.

Every path of nb1s that runs on Slurm goes through `SlurmArray`: the searches of a plan
(executors/slurm.py), and every map of a function over inputs that `executors.task_map`
hands out on an executor with job arrays: the black-box grid's seed groups
(blackbox_runs/cluster.py) and hpbandster's distributed workers
(experiments/bohb/distributed.py). What it owns, so
that none of them repeats it:

- the request (`SlurmRequest`: CPUs, memory, GPUs per task, time limit, partition), turned
  into submitit's parameters; a CPU-only request has no GPU line at all, because a cluster
  without GPUs refuses any gres specification (`sbatch: error: Invalid generic resource`);
- a check of the request against what the partition's nodes have (`sinfo`) BEFORE
  submitting: a request no node can fit would otherwise pend forever (`PartitionConfig`);
- one line when `sbatch` refuses the array, instead of submitit's traceback;
- `pending_problem`: a task pending for a reason that waiting cannot cure (the partition's
  limits, a bad constraint) is reported with Slurm's reason, the array cancelled;
- `ending`: a task Slurm ended itself (cancelled from outside, timed out, node failure,
  out of memory) named with its state in a few words;
- `cancel`: scancel of every unfinished task on Ctrl-C;
- submitit's local cluster (`cluster="local"`: processes on this machine, how the path is
  tested without Slurm) with its controllers' output kept off the user's terminal.

Why submitit: it pickles the function and its inputs, writes the sbatch file, and reads
each task's state from `sacct`; nb1s only adds the checks above.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from nb1s.harness.errors import UserError
from nb1s.harness.executors.descriptors import output_to

#: where submitit's local controllers write (see `controller_output`)
CONTROLLER_LOG = "local-controllers.log"
#: pending reasons no amount of waiting cures: the request exceeds a partition limit or
#: names what does not exist (squeue's %r; Slurm's `job_reason` names)
CONFIGURATION_REASONS = frozenset({
    "PartitionConfig", "PartitionNodeLimit", "PartitionTimeLimit", "BadConstraints",
    "InvalidAccount", "InvalidQOS", "PartitionDown", "PartitionInactive",
})
#: states in which Slurm itself ended a task before its function returned
ENDED_BY_SLURM = ("CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED",
                  "DEADLINE", "BOOT_FAIL")
#: the early warning before the time limit that the arrays ask Slurm for (`--signal`):
#: SIGURG, which every process ignores unless it asks for it. Why not submitit's USR2:
#: nb1s's task functions are not submitit-checkpointable, so USR2's handler only raises
#: "timed-out and not checkpointable", a process without the handler yet (the task at its
#: start, the search it runs) dies of it without recording anything, and Slurm sends it up
#: to a minute early, so with a limit of a minute or two it arrives as the task starts
#: (seen on the test cluster: tasks FAILED with exit 12 in their first second, searches
#: left at `running`). At the limit itself Slurm sends SIGTERM, which a search records as
#: `interrupted` at its last saved epoch (guards/interrupts.py): what a resume needs.
TIME_WARNING = "URG@90"
#: seconds between two looks at an array's tasks, and between two asks of squeue for a
#: pending task's reason (`SlurmArray.wait`)
POLL_S = 1.0
WATCH_S = 10.0


@dataclass(frozen=True)
class SlurmRequest:
    """What each task of an array asks Slurm for.

    `parallelism` is the `%K` of `--array` (tasks running at once); `setup` are shell lines
    run before the task (e.g. an environment variable); `name` is the job name squeue shows.
    """

    cpus_per_task: int = 1
    mem_gb: int = 4
    gpus_per_task: int = 0
    timeout_min: int = 24 * 60
    partition: str | None = None
    parallelism: int = 64
    name: str = "nb1s"
    setup: tuple[str, ...] = ()

    def parameters(self, cluster: str | None) -> dict[str, Any]:
        """submitit's `update_parameters` keywords for `cluster` (None: Slurm)."""
        params: dict[str, Any] = {"timeout_min": self.timeout_min,
                                  "cpus_per_task": self.cpus_per_task,
                                  "mem_gb": self.mem_gb, "name": self.name}
        if cluster == "local":  # submitit's local cluster knows no Slurm-only parameters
            return params
        params["slurm_array_parallelism"] = self.parallelism
        params["slurm_additional_parameters"] = {"signal": TIME_WARNING}  # replaces USR2
        if self.gpus_per_task:  # 0: CPU-only, no gres line in the sbatch file
            params["gpus_per_node"] = self.gpus_per_task
        if self.partition:
            params["slurm_partition"] = self.partition
        if self.setup:
            params["slurm_setup"] = list(self.setup)
        return params

    def describe(self) -> str:
        """'2 CPUs, 4 GB, no GPU, 30 min per task' (messages, --json)."""
        gpus = f"{self.gpus_per_task} GPU(s)" if self.gpus_per_task else "no GPU"
        return (f"{self.cpus_per_task} CPU(s), {self.mem_gb} GB, {gpus}, "
                f"{self.timeout_min} min per task")


@dataclass(frozen=True)
class NodeOffer:
    """What one node of a partition can give a task (one `sinfo -N` line)."""

    partition: str
    cpus: int
    mem_mb: int
    gpus: int
    time_limit_min: int | None  # None: no limit


def parse_minutes(text: str) -> int | None:
    """Slurm's time format (`infinite`, `D-HH:MM:SS`, `HH:MM:SS`, `MM:SS`, `MM`) in
    minutes, rounded down; None for no limit."""
    text = text.strip()
    if text.lower() in ("infinite", "unlimited", "n/a", ""):
        return None
    days = 0
    if "-" in text:
        d, text = text.split("-", 1)
        days = int(d)
    parts = [int(p) for p in text.split(":")]
    if len(parts) == 3:
        h, m, s = parts
    elif len(parts) == 2:
        h, (m, s) = 0, parts
    else:
        h, m, s = 0, parts[0], 0
    return days * 24 * 60 + h * 60 + m + s // 60


def parse_gres_gpus(gres: str) -> int:
    """GPUs in a node's gres string: 'gpu:2', 'gpu:a100:4(S:0-1),shard:8' -> 2, 4."""
    total = 0
    for item in gres.split(","):
        fields = re.sub(r"\(.*?\)", "", item).split(":")
        if fields[0] == "gpu" and len(fields) >= 2 and fields[-1].isdigit():
            total += int(fields[-1])
    return total


def partition_offers(partition: str | None,
                     run: Callable[[list[str]], str] | None = None) -> list[NodeOffer]:
    """The nodes of `partition` (None: the default one) as `sinfo` lists them."""
    run = run or _sinfo
    lines = run(["sinfo", "-h", "-N", "-o", "%P|%c|%m|%G|%l"]).splitlines()
    offers = []
    for line in lines:
        fields = line.strip().split("|")
        if len(fields) != 5:
            continue
        name, cpus, mem, gres, limit = fields
        default = name.endswith("*")
        name = name.rstrip("*")
        if (partition is None and not default) or (partition is not None and name != partition):
            continue
        offers.append(NodeOffer(name, int(cpus.rstrip("+")), int(mem.rstrip("+")),
                                parse_gres_gpus(gres), parse_minutes(limit)))
    return offers


def _sinfo(argv: list[str]) -> str:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"--executor slurm: `sinfo` did not answer ({exc})") from None
    if proc.returncode != 0:
        first = (proc.stderr.strip().splitlines() or ["no output"])[0]
        raise UserError(f"--executor slurm: `sinfo` failed: {first}")
    return proc.stdout


def check_fits(request: SlurmRequest, offers: Sequence[NodeOffer]) -> None:
    """Refuse, in one line, a request no node of the partition can fit (it would pend
    forever). Names the option to change."""
    where = f"partition {request.partition}" if request.partition else "the default partition"
    if not offers:
        raise UserError(f"--executor slurm: {where} has no nodes (sinfo lists none"
                        f"{'' if request.partition else '; pass --slurm-partition'})")
    problems = []
    most_cpus = max(o.cpus for o in offers)
    most_mem = max(o.mem_mb for o in offers) // 1024
    most_gpus = max(o.gpus for o in offers)
    limits = [o.time_limit_min for o in offers]
    if request.cpus_per_task > most_cpus:
        problems.append(f"{request.cpus_per_task} CPUs per task, its largest node has "
                        f"{most_cpus} (--slurm-cpus)")
    if request.mem_gb > most_mem:
        problems.append(f"{request.mem_gb} GB per task, its largest node has {most_mem} GB "
                        "(--slurm-mem-gb)")
    if request.gpus_per_task > most_gpus:
        problems.append(f"{request.gpus_per_task} GPU(s) per task, its nodes have "
                        f"{most_gpus or 'none'} (--slurm-gpus)")
    if None not in limits:
        longest = max(x for x in limits if x is not None)
        if request.timeout_min > longest:
            problems.append(f"{request.timeout_min} min per task, its time limit is "
                            f"{longest} min (--timeout-min)")
    fits = [o for o in offers if o.cpus >= request.cpus_per_task
            and o.mem_mb // 1024 >= request.mem_gb and o.gpus >= request.gpus_per_task]
    if not problems and not fits:
        problems.append(f"{request.describe()}: no single node has all of it")
    if problems:
        raise UserError(f"--executor slurm: {where} cannot fit one task: it asks "
                        + "; ".join(problems))


def pending_problem(job_ids: Sequence[str],
                    run: Callable[[list[str]], str] | None = None) -> str | None:
    """The first task that pends for a configuration reason, as 'job 12_3 pends:
    PartitionConfig', else None (also when squeue cannot be asked)."""
    arrays = list(dict.fromkeys(str(j).split("_", 1)[0] for j in job_ids))
    if not arrays:
        return None
    try:
        out = (run or _squeue)(["squeue", "-h", "-j", ",".join(arrays), "-o", "%i|%T|%r"])
    except (OSError, subprocess.SubprocessError):
        return None
    for line in out.splitlines():
        fields = line.strip().split("|")
        if len(fields) == 3 and fields[1] == "PENDING" and fields[2] in CONFIGURATION_REASONS:
            return f"job {fields[0]} pends: {fields[2]}"
    return None


def _squeue(argv: list[str]) -> str:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60,
                          check=False).stdout


def ending(handle: Any) -> str | None:
    """'CANCELLED by 0' / 'TIMEOUT' when Slurm ended the task itself, else None."""
    try:
        state = str(handle.state)
    except Exception:  # a stand-in without a state
        return None
    return state if state.split()[0].rstrip("+") in ENDED_BY_SLURM else None


#: Slurm states of a task that has not ended yet (submitit's list): a task whose function
#: already returned (its result file exists) is still RUNNING or COMPLETING while Slurm
#: ends it, e.g. at its time limit, before sacct says TIMEOUT
NOT_FINAL = frozenset({"READY", "PENDING", "RUNNING", "UNKNOWN", "REQUEUED", "COMPLETING",
                       "PREEMPTED", ""})


def settled(handle: Any) -> bool:
    """Whether Slurm's accounting already gives the task's final state (sacct asked now).

    Why: a task that Slurm stops at its time limit still returns its function's result
    (the search stopped on SIGTERM and recorded `interrupted`), and submitit counts it as
    done from that file alone, while sacct says RUNNING until Slurm has ended it. Its
    ending (`ending`) is only known once this is true."""
    try:
        state = str(handle.get_info(mode="force").get("State", ""))
    except AttributeError:  # a stand-in without accounting: its state is all there is
        state = str(getattr(handle, "state", ""))
    except Exception:  # sacct did not answer: nothing better will come from waiting
        return True
    return (state.split() or [""])[0].rstrip("+") not in NOT_FINAL


def first_line(error: BaseException) -> str:
    """The first non-empty line of submitit's message (its tracebacks are long)."""
    lines = [x.strip() for x in str(error).splitlines() if x.strip()]
    line = lines[0] if lines else type(error).__name__
    return line if len(line) <= 300 else line[:297] + "..."


class SlurmArray:
    """Submit a function over a list of inputs as one array; watch and cancel it.

    One of the two maps `executors.task_map` hands out (the other: a local process
    pool, executors/process_pool.py), with the same calls."""

    #: each task is a scheduled job (start-up and accounting costs): callers group inputs
    scheduled = True

    def __enter__(self) -> SlurmArray:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Nothing to end here: the caller's wait cancels unfinished tasks on Ctrl-C."""
        return None

    def __init__(self, folder: Path, request: SlurmRequest, cluster: str | None = None,
                 offers: Callable[[str | None], Sequence[NodeOffer]] | None = None) -> None:
        self.folder = folder
        self.request = request
        self.cluster = cluster
        self._offers = offers

    def parameters(self) -> dict[str, Any]:
        return self.request.parameters(self.cluster)

    def executor(self) -> Any:
        """submitit's executor with this request (AutoExecutor: Slurm, or `local`)."""
        import submitit

        ex = submitit.AutoExecutor(folder=str(self.folder), cluster=self.cluster)
        ex.update_parameters(**self.parameters())
        return ex

    def check(self) -> None:
        """On a real Slurm: the request against the partition's nodes (`check_fits`)."""
        if self.cluster != "local":
            offers = self._offers or partition_offers  # looked up now: tests replace it
            check_fits(self.request, offers(self.request.partition))

    def submit(self, fn: Callable[..., Any], *inputs: Sequence[Any]) -> list[Any]:
        """`fn(*args)` for each zipped tuple of `inputs`, one array task each; the handles
        in input order. A refused submission is one UserError line."""
        self.check()
        self.folder.mkdir(parents=True, exist_ok=True)
        ex = self.executor()
        quiet = controller_output(self.folder / CONTROLLER_LOG) if self.cluster == "local" \
            else contextlib.nullcontext()
        count = len(inputs[0]) if inputs else 0
        try:
            with quiet:
                handles: list[Any] = list(ex.map_array(fn, *[list(x) for x in inputs]))
        except Exception as exc:  # sbatch refused it (partition, limits): submitit's message
            raise UserError(f"submitting the job array of {count} tasks failed: "
                            f"{first_line(exc)}") from None
        return handles

    #: the name submitit's executors use, so `SlurmArray` stands where one was expected
    map_array = submit

    def watch(self, handles: Sequence[Any]) -> None:
        """Raise a one-line UserError (after cancelling the array) when a task pends for
        a reason waiting cannot cure; call it now and then while waiting."""
        if self.cluster == "local":
            return
        unfinished = [h for h in handles if not h.done()]
        problem = pending_problem([str(h.job_id) for h in unfinished])
        if problem is not None:
            cancelled = self.cancel(unfinished)
            reason = problem.rsplit(": ", 1)[-1]
            raise UserError(f"--executor slurm: {problem} ({_why_pending(reason, self.request)}"
                            f"); the array was cancelled ({len(cancelled)} task(s)); "
                            f"{_cure(reason)} and run the same command again")

    def wait(self, handles: Sequence[Any], sleep: Callable[[float], None] | None = None
             ) -> None:
        """Until every task has ended, watching the pending ones (`watch`) every WATCH_S
        seconds: for callers that then read each result themselves (submitit's
        `result()` alone would wait without end on a task that can never start)."""
        import time

        pause = sleep or time.sleep
        next_watch = time.monotonic() + WATCH_S
        while not all(h.done() for h in handles):
            if time.monotonic() >= next_watch:
                self.watch(handles)
                next_watch = time.monotonic() + WATCH_S
            pause(POLL_S)

    @staticmethod
    def cancel(handles: Sequence[Any]) -> list[str]:
        """Ask the cluster to cancel every unfinished task (scancel; SIGINT on the local
        cluster); their job ids."""
        ids = []
        for handle in handles:
            if handle.done():
                continue
            with contextlib.suppress(Exception):
                handle.cancel(check=False)
            ids.append(str(handle.job_id))
        return ids


def _why_pending(reason: str, request: SlurmRequest) -> str:
    """What Slurm's pending reason means for the request, in a few words."""
    if reason in ("PartitionDown", "PartitionInactive"):
        return "the partition does not start jobs: its administrators set it down"
    if reason in ("InvalidAccount", "InvalidQOS"):
        return "Slurm's accounting does not let this user's account or QOS run it"
    return f"the partition's limits cannot give what the task asks: {request.describe()}"


def _cure(reason: str) -> str:
    """The options that can change what made a task pend for `reason`."""
    if reason in ("PartitionDown", "PartitionInactive", "InvalidAccount", "InvalidQOS"):
        return "choose another partition (--slurm-partition)"
    return ("change the request (--slurm-cpus, --slurm-mem-gb, --slurm-gpus, "
            "--timeout-min, --slurm-partition)")


def controller_output(log: Path) -> contextlib.AbstractContextManager[None]:
    """Point file descriptors 1 and 2 at `log` while submitit starts its local controllers.

    Each controller inherits this process's stdout/stderr, and a cancelled one prints a
    KeyboardInterrupt traceback there: on the user's terminal, next to the one line an
    interrupt promises. Started while this is in effect, they write to the log instead.
    """
    return output_to(log)


def check_reachable(cluster: str | None) -> None:
    """Without `--slurm-cluster local` a reachable Slurm is needed: `sbatch` on PATH (else
    submitit would quietly run every job on this machine, e.g. a login node) and `sacct`
    answering (submitit reads each task's state from accounting: without it a task
    cancelled or killed from outside is never seen to end, and nb1s would wait forever)."""
    if cluster == "local":
        return
    if shutil.which("sbatch") is None:
        raise UserError("--executor slurm: no Slurm is reachable from here (no `sbatch` on "
                        "PATH); run on a Slurm login node, or pass --slurm-cluster local to "
                        "run the jobs on this machine on purpose")
    why = accounting_problem()
    if why is not None:
        raise UserError("--executor slurm: Slurm's accounting does not answer (`sacct`: "
                        f"{why}); without it nb1s cannot see a task end that "
                        "was cancelled or killed, so it refuses to submit")


def accounting_problem() -> str | None:
    """Why `sacct` does not answer (its first line), or None when it does."""
    try:
        proc = subprocess.run(["sacct", "-n", "-X", "-S", "now"], capture_output=True,
                              text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if proc.returncode == 0:
        return None
    return (proc.stderr.strip().splitlines() or ["failed"])[0]
