"""How many torch threads to use, decided from what the process can really use.

A fit's result depends on torch's thread count (matrix products split their
sums differently), so the estimators' default is a count fixed by the
machine: the CPUs the process may use (affinity, cgroup quota,
``OMP_NUM_THREADS``), whatever else runs. On a small machine that count
collapses as soon as another process takes a core -- the OpenMP barriers
spin while waiting for a thread that is not scheduled, and a fit runs 3x to
60x slower -- so ``n_threads="adaptive"`` trades reproducibility for speed:
the :class:`ThreadGovernor` then takes those CPUs minus the cores other
processes keep busy, and re-checks during training so a change in load is
followed within about a second. Work whose result does not depend on the
count (the metrics) follows the load by default.
"""

import contextlib
import os
import time

import torch

# A fresh load estimate needs a window of at least this many seconds: /proc/stat
# counts in clock ticks of 10 ms, so shorter windows are too coarse.
_MIN_WINDOW_S = 0.05
# Older samples no longer describe the current load.
_MAX_WINDOW_S = 10.0
# Each thread beyond the first needs this much of a free core.
_FREE_CORE_PER_THREAD = 0.75


def _cgroup_cpu_limit():
    """Return the cgroup CPU quota in cores, or None when there is none."""
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:
            quota, period = f.read().split()[:2]
        if quota != "max":
            return float(quota) / float(period)
    except (OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") as f:
            quota = float(f.read())
        with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us") as f:
            period = float(f.read())
        if quota > 0:
            return quota / period
    except (OSError, ValueError):
        pass
    return None


def _env_thread_limit():
    """Return the thread limit set through the environment, or None.

    joblib's loky and dask workers set ``OMP_NUM_THREADS`` so that parallel
    workers do not oversubscribe the machine; it is honoured here.
    """
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(name, "")
        try:
            limit = int(value.split(",")[0])
        except ValueError:
            continue
        if limit > 0:
            return limit
    return None


def usable_cpus():
    """Number of CPUs this process is allowed to run on.

    Returns
    -------
    n_cpus : int
        The smallest of the CPU affinity mask, the cgroup quota (rounded
        down, at least 1) and ``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS``.
    """
    try:
        n_cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not available on macOS and Windows
        n_cpus = os.cpu_count() or 1
    quota = _cgroup_cpu_limit()
    if quota is not None:
        n_cpus = min(n_cpus, max(1, int(quota)))
    env_limit = _env_thread_limit()
    if env_limit is not None:
        n_cpus = min(n_cpus, env_limit)
    return max(1, n_cpus)


class _CpuSample:
    __slots__ = ("wall", "busy_s", "own_cpu_s")

    def __init__(self, wall, busy_s, own_cpu_s):
        self.wall = wall
        self.busy_s = busy_s
        self.own_cpu_s = own_cpu_s


class LoadProbe:
    """Estimates how many cores processes other than this one keep busy.

    Over a window between two samples, the machine's busy CPU time (from
    ``/proc/stat``) minus this process's own CPU time is the work of others.
    Without a usable previous sample, the number of other runnable threads
    at this instant stands in. Where ``/proc`` does not exist the probe
    reports no load.
    """

    def __init__(self):
        self._last = None
        self._last_estimate = 0.0
        try:
            self._tick_s = 1.0 / os.sysconf("SC_CLK_TCK")
        except (AttributeError, ValueError, OSError):
            self._tick_s = 0.01

    def _read_proc_stat(self):
        with open("/proc/stat") as f:
            text = f.read()
        busy_s = None
        running = None
        for line in text.splitlines():
            if line.startswith("cpu "):
                fields = [int(v) for v in line.split()[1:]]
                idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
                # guest time is already included in user time
                busy_s = (sum(fields[:8]) - idle) * self._tick_s
            elif line.startswith("procs_running"):
                running = int(line.split()[1])
        return busy_s, running

    @staticmethod
    def _own_running_threads():
        count = 0
        try:
            for task in os.listdir("/proc/self/task"):
                try:
                    with open(f"/proc/self/task/{task}/stat") as f:
                        stat = f.read()
                except OSError:
                    continue
                if stat[stat.rfind(")") + 2] == "R":
                    count += 1
        except OSError:
            return 1
        return count

    def others_busy_cores(self):
        """Return the number of cores (float) that other processes keep busy."""
        try:
            busy_s, running = self._read_proc_stat()
        except (OSError, ValueError, IndexError):
            return 0.0
        if busy_s is None:
            return 0.0
        now = _CpuSample(time.monotonic(), busy_s, time.process_time())
        last = self._last
        if last is not None:
            window = now.wall - last.wall
            if window < _MIN_WINDOW_S:
                return self._last_estimate
            if window <= _MAX_WINDOW_S:
                others = (now.busy_s - last.busy_s) - (now.own_cpu_s - last.own_cpu_s)
                self._last = now
                self._last_estimate = max(0.0, others / window)
                return self._last_estimate
        self._last = now
        if running is None:
            self._last_estimate = 0.0
        else:
            self._last_estimate = float(max(0, running - self._own_running_threads()))
        return self._last_estimate


_PROBE = LoadProbe()
# Inference calls can come thousands of times a second (cross-validation,
# small batches); a decision younger than this is reused.
_DECISION_TTL_S = 0.25
_last_decision = (-1.0, None, None)


def adaptive_thread_count(max_threads=None, probe=None):
    """Pick a torch thread count for the current load.

    Parameters
    ----------
    max_threads : int or None, default=None
        Upper bound; None means :func:`usable_cpus`.
    probe : LoadProbe or None, default=None
        Where the load comes from; None uses the process-wide probe.

    Returns
    -------
    n_threads : int
        At least 1; one thread more for each ``0.75`` of a core left free by
        other processes.
    """
    global _last_decision
    now = time.monotonic()
    if probe is None:
        decided_at, cached_max, cached = _last_decision
        if cached is not None and cached_max == max_threads and now - decided_at < _DECISION_TTL_S:
            return cached
    n_cpus = usable_cpus()
    limit = n_cpus if max_threads is None else max_threads
    free = n_cpus - (_PROBE if probe is None else probe).others_busy_cores()
    n_threads = int(max(1, min(limit, 1 + (free - 1) // _FREE_CORE_PER_THREAD)))
    if probe is None:
        _last_decision = (now, max_threads, n_threads)
    return n_threads


ADAPTIVE = "adaptive"


class ThreadGovernor:
    """Context manager that sets, adapts and restores torch's thread count.

    Parameters
    ----------
    n_threads : int, "adaptive" or None, default=None
        None and -1 mean all usable CPUs (:func:`usable_cpus`: a count
        fixed by the machine, so a seeded fit gives the same model whatever
        the load); ``"adaptive"`` follows the load
        (:func:`adaptive_thread_count`) on entry and at each :meth:`update`;
        a positive int is used as given.
    recheck_interval : float, default=0.5
        Minimum seconds between two adaptive decisions.
    """

    def __init__(self, n_threads=None, recheck_interval=0.5):
        self.n_threads = n_threads
        self.recheck_interval = recheck_interval
        self._previous = None
        self._last_check = 0.0

    def _decide(self):
        if self.n_threads == ADAPTIVE:
            return adaptive_thread_count()
        if self.n_threads is None or self.n_threads == -1:
            return usable_cpus()
        return int(self.n_threads)

    def __enter__(self):
        self._previous = torch.get_num_threads()
        self._apply(self._decide())
        return self

    def update(self):
        """Re-decide the thread count if adaptive and the interval has passed."""
        if self.n_threads != ADAPTIVE:
            return
        if time.monotonic() - self._last_check >= self.recheck_interval:
            self._apply(self._decide())

    def _apply(self, n_threads):
        self._last_check = time.monotonic()
        if torch.get_num_threads() != n_threads:
            torch.set_num_threads(n_threads)

    def __exit__(self, *exc_info):
        if self._previous is not None and torch.get_num_threads() != self._previous:
            torch.set_num_threads(self._previous)
        return False


def resolve_thread_count(n_threads):
    """The thread count a ``n_threads`` / ``n_jobs`` parameter stands for now.

    Parameters
    ----------
    n_threads : int, "adaptive" or None
        None and ``"adaptive"`` follow the load (:func:`adaptive_thread_count`:
        for work whose result does not depend on the count, such as the
        metrics); -1 means all usable CPUs; a positive int is used as given.

    Returns
    -------
    n_threads : int
    """
    if n_threads is None or n_threads == ADAPTIVE:
        return adaptive_thread_count()
    if n_threads == -1:
        return usable_cpus()
    return int(n_threads)


@contextlib.contextmanager
def limited_threads(n_threads):
    """Run the block on at most ``n_threads`` threads in every native pool.

    OpenMP (scikit-learn's HistGradientBoosting and distance reductions),
    BLAS and torch are all limited, and restored on exit. Scores computed
    inside do not depend on the count: only their speed does.

    Parameters
    ----------
    n_threads : int or None
        As in :func:`resolve_thread_count`.
    """
    from threadpoolctl import threadpool_limits

    count = resolve_thread_count(n_threads)
    with threadpool_limits(limits=count), ThreadGovernor(count):
        yield count
