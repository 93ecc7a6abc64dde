"""Run work on every core with forked workers that see this process as it is (nothing pickled but results).

The pool watches its workers: one that dies (a crash, a signal, the system's out-of-memory killer)
or that spends too long on one item ends the build with an error naming what it was working on,
never a build that waits for ever. Workers, and the programs a build starts, end with the build,
however it ends.
"""

from __future__ import annotations

import ctypes
import errno
import multiprocessing
import os
import pickle
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, NoReturn, TypeVar

from sitegen.errors import SitegenError
from sitegen.i18n import Message, _

Item = TypeVar("Item")
Result = TypeVar("Result")

# A worker that works this long on one item is taken for stuck (no page takes a minute to render).
ITEM_TIMEOUT = 600.0
WATCH_SECONDS = 1.0
_PR_SET_PDEATHSIG = 1


def workers() -> int:
    """How many processes render: ``SITEGEN_JOBS`` if set (1 renders in this process), else every core."""
    asked = os.environ.get("SITEGEN_JOBS", "").strip()
    if asked.isdigit() and int(asked) > 0:
        return int(asked)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def fork_safe() -> bool:
    """Whether this process may fork: where the system can, and no other thread runs (forking a
    process that runs other threads, the preview server, can deadlock its children)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def forkable(items: int, least: int) -> bool:
    """Whether to fork workers for ``items`` pieces of work (not worth it below ``least``)."""
    small = items < least and not os.environ.get("SITEGEN_JOBS")
    return fork_safe() and not small and workers() > 1


_malloc_trim: Any = None


def give_back_memory() -> None:
    """Hand the memory the C allocator holds free back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    Python leaves its large objects (a district's home page, a list of every neighborhood) to the C
    allocator, which keeps their memory when they are freed, for later: a process that made one
    once would stay that much larger for good, and every worker forked from it would start so.
    Cheap when little is free (a tenth of a millisecond).
    """
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL(None).malloc_trim if sys.platform.startswith("linux") else False
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


def die_with_parent(parent: int) -> None:
    """In a child process: be killed when ``parent`` ends, however it ends (Linux; elsewhere nothing).

    Used by forked workers and, before they start, by the programs a build runs (Chromium).
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent ended before the request took effect
        os._exit(1)


def child_of_this_process() -> Callable[[], None] | None:
    """A ``preexec_fn`` for subprocess that makes the program end when this process ends (None on Windows)."""
    if os.name != "posix":
        return None
    parent = os.getpid()
    return lambda: die_with_parent(parent)


class WorkerFailed(SitegenError):
    """A worker process died, or got stuck, while working on an item."""


class _RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker (shown with ``--debug``)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


# Shared with the workers: per worker, the item it works on (-1: none) and how many items it began.
_progress: Any = None
_slot = -1
# The work of the running pool: set just before the pool forks, read by the workers.
_work: Callable[[int], Any] | None = None


def working_on(item: int) -> None:
    """In a worker: note that it starts on ``item`` (named in the error if the worker dies on it)."""
    if _slot >= 0 and _progress is not None:
        _progress[2 * _slot] = item
        _progress[2 * _slot + 1] += 1


def _become_worker(parent: int) -> None:
    """In a forked child: end with ``parent``, and leave its signals to it."""
    die_with_parent(parent)
    # The pool ends its workers with SIGTERM: a handler inherited from the parent (the preview's) could
    # leave a worker waiting for its next task for ever. Ctrl-C is for the parent to handle.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _serve(connection: Connection, slot: int, parent: int) -> None:
    """A worker's life: run the tasks it is sent until it is sent None, or its parent is gone."""
    global _slot
    _slot = slot
    _become_worker(parent)
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        if task is None or _work is None:
            return
        try:
            message: tuple[str, int, Any] = ("done", task, _work(task))
        except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
            message = ("failed", task, _portable(exc))
        _progress[2 * slot] = -1
        try:
            connection.send(message)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            connection.send(("failed", task, _portable(exc)))


def _portable(exc: BaseException) -> tuple[BaseException, str]:
    """The exception as the parent can receive it, with its traceback as text."""
    text = "".join(traceback.format_exception(exc))
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any exception that does not survive pickling is described instead
        exc = RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc, text


@dataclass
class _Worker:
    process: Any  # multiprocessing's forked Process
    connection: Connection
    slot: int
    task: int | None = None
    seen: tuple[int, int] = (-1, 0)  # the progress it showed last
    since: float = 0.0  # when it last showed progress


def run_forked(
    tasks: int,
    work: Callable[[int], Result],
    done: Callable[[int, Result], None],
    doing: Callable[[int], Message],
) -> None:
    """Run ``work(task)`` for each task number on forked workers; ``done(task, result)`` here as each ends.

    ``doing(item)`` says what a worker was doing on an item it noted with :func:`working_on`, for
    the error if it dies there or spends more than ``ITEM_TIMEOUT`` on it. An exception raised by
    ``work`` is raised here.
    """
    global _work, _progress
    give_back_memory()  # each worker starts from this process as it is, what is free but held included
    context = multiprocessing.get_context("fork")
    count = max(1, min(workers(), tasks))
    _work, _progress = work, context.RawArray("q", 2 * count)
    pool: list[_Worker] = []
    try:
        for slot in range(count):
            _progress[2 * slot] = -1
            here, there = context.Pipe()
            process = context.Process(target=_serve, args=(there, slot, os.getpid()), daemon=True)
            process.start()
            there.close()
            pool.append(_Worker(process, here, slot))
        _run(pool, iter(range(tasks)), done, doing)
    finally:
        _work = None
        _stop(pool)
        _progress = None


def _run(pool: list[_Worker], queue: Any, done: Callable[[int, Any], None], doing: Callable[[int], Message]) -> None:
    for worker in pool:
        _give(worker, next(queue, None), doing)
    while busy := [w for w in pool if w.task is not None]:
        ready = wait([w.connection for w in busy] + [w.process.sentinel for w in busy], timeout=WATCH_SECONDS)
        for worker in busy:
            if worker.connection in ready or worker.connection.poll():
                try:
                    kind, task, value = worker.connection.recv()
                except (EOFError, OSError):
                    _died(worker, doing)
                if kind == "failed":
                    exc, text = value
                    raise exc from _RemoteTraceback(text)
                done(task, value)
                _give(worker, next(queue, None), doing)
            elif worker.process.sentinel in ready:
                _died(worker, doing)
            else:
                _watch(worker, doing)


def _give(worker: _Worker, task: int | None, doing: Callable[[int], Message]) -> None:
    worker.task, worker.since = task, time.monotonic()
    try:
        worker.connection.send(task)
    except OSError:
        if task is not None:
            _died(worker, doing)


def _current(worker: _Worker) -> tuple[int, int]:
    return int(_progress[2 * worker.slot]), int(_progress[2 * worker.slot + 1])


def _watch(worker: _Worker, doing: Callable[[int], Message]) -> None:
    """Stop the build if a worker has been on one item for too long."""
    now = _current(worker)
    if now != worker.seen:
        worker.seen, worker.since = now, time.monotonic()
    elif now[0] >= 0 and time.monotonic() - worker.since > ITEM_TIMEOUT:
        raise WorkerFailed(
            _(
                "{doing} took more than {seconds} seconds, so the build was stopped; the output was left as it was",
                doing=doing(now[0]),
                seconds=int(ITEM_TIMEOUT),
            )
        )


def _died(worker: _Worker, doing: Callable[[int], Message]) -> NoReturn:
    worker.process.join(timeout=5)
    item = _current(worker)[0]
    _ended(worker.process.exitcode, doing(item) if item >= 0 else _("waiting for its next piece of work"))


def _ended(code: int | None, doing: Message) -> NoReturn:
    """Raise for a worker that ended with exit ``code`` (a signal's, negative) while ``doing``."""
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        reason = _("killed by signal {signal}", signal=name)
    else:
        reason = _("exit code {code}", code="?" if code is None else code)
    raise WorkerFailed(
        _(
            "a worker process ended unexpectedly ({reason}) while {doing}; the output was left as it was",
            reason=reason,
            doing=doing,
        )
    )


def _stop(pool: list[_Worker]) -> None:
    """End every worker: those that finished are told to; the others (after an error) are terminated."""
    for worker in pool:
        if worker.task is None:
            try:
                worker.connection.send(None)
            except OSError:
                pass
    for worker in pool:
        if worker.task is not None:
            worker.process.terminate()
        worker.process.join(timeout=10)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.connection.close()


def fork_child(run: Callable[[], None]) -> int:
    """Fork a child that ends with this process and leaves Ctrl-C and SIGTERM to it (see
    :func:`_become_worker`), runs ``run`` and exits: 0 once it returned, 1 if it raised (its
    traceback on standard error). The child's pid."""
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            _become_worker(parent)
            run()
            code = 0
        except BaseException:  # noqa: BLE001 - said on the terminal; the parent sees the exit code
            traceback.print_exc()
        finally:
            os._exit(code)
    return pid


def _run_and_leave(function: Callable[[], Any], file: Any) -> None:
    """In a child: run ``function`` and leave its result (or its failure) pickled in ``file``.

    Written as it is pickled, a large result takes no buffer of its size on top of the child's peak.
    """
    try:
        message: tuple[str, Any] = ("done", function())
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        message = ("failed", _portable(exc))
    pickle.dump(message, file, protocol=pickle.HIGHEST_PROTOCOL)
    file.flush()


# Work sent to the forker goes in pickles of this many items at most (see :class:`InParts`).
SENT_PART = 256


@dataclass(frozen=True)
class InParts(Generic[Item, Result]):
    """``function(list(items))``, sent to the forker (see :func:`start_alone`) in pickles of
    SENT_PART items each rather than one.

    Pickling remembers every object it has written until it is done, so that an object met twice
    is written once: for a district's 20,000 grids, one pickle took the builder 17 MB that it kept
    once freed. A part's memo goes with the part. Objects shared between parts arrive as copies.
    """

    function: Callable[[list[Item]], Result]
    items: Sequence[Item]

    def __call__(self) -> Result:
        return self.function(list(self.items))


@dataclass(frozen=True)
class _PartsFollow:
    """Sent before the parts of an :class:`InParts`: its function and how many parts follow."""

    function: Callable[[list[Any]], Any]
    parts: int


def _send(function: Callable[[], Any], work: Any) -> None:
    """Pickle ``function`` into the file ``work``: an :class:`InParts` part by part."""
    if not isinstance(function, InParts):
        pickle.dump(function, work, protocol=pickle.HIGHEST_PROTOCOL)
        return
    items = function.items
    starts = range(0, len(items), SENT_PART)
    pickle.dump(_PartsFollow(function.function, len(starts)), work, protocol=pickle.HIGHEST_PROTOCOL)
    for start in starts:
        pickle.dump(list(items[start : start + SENT_PART]), work, protocol=pickle.HIGHEST_PROTOCOL)


def _sent(work: Any) -> Callable[[], Any]:
    """The work :func:`_send` pickled into the file ``work``."""
    function = pickle.load(work)
    if not isinstance(function, _PartsFollow):
        sent: Callable[[], Any] = function
        return sent
    items: list[Any] = []
    for _part in range(function.parts):
        items.extend(pickle.load(work))
    return InParts(function.function, items)


class Forker:
    """A child forked while this process is small, which forks children for it later.

    A forked child starts with every page of the process it was forked from (shared, but its own
    to count, and copied as soon as either writes to them): the preview's builder holds a
    district's state (200 MB at 10,000 neighborhoods), and checking the district's site.yaml took
    the child it forked for that some 165 MB more. Work that needs nothing of what this process
    came to hold, only what it is sent (a file to read and a few values), is better started from
    here: the forker stays as small as this process was when it was made. It forks one child at a
    time, for work sent pickled (see :func:`start_alone`); it ends when this process ends.
    """

    def __init__(self) -> None:
        here, there = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)

        def forker() -> None:
            here.close()
            _fork_when_asked(there)

        give_back_memory()
        self.pid = fork_child(forker)
        there.close()
        self.socket = here
        self.owner = os.getpid()  # a worker forked from the owner sees the forker but must not use it
        self._ended: dict[int, int] = {}  # the wait status of children that ended, by pid, not yet asked for

    def start(self, function: Callable[[], Any], file: Any) -> int:
        """Have a child of the forker run ``function`` and leave its result in ``file``; its pid.
        OSError if the forker is gone.

        ``function`` goes pickled in a temporary file whose descriptor the forker's child reads it
        from: a district's site for the grid overview is megabytes, more than a message of the
        socket may hold, and is never all in memory here as bytes."""
        with tempfile.TemporaryFile() as work:
            _send(function, work)
            work.flush()
            socket.send_fds(self.socket, [b"work"], [work.fileno(), file.fileno()])
            while True:
                message = self._hear()
                if message[0] == "started":
                    pid: int = message[1]
                    return pid

    def wait(self, pid: int) -> int:
        """Wait for the forker's child ``pid`` to end; its wait status (-1 if the forker is gone)."""
        while pid not in self._ended:
            try:
                self._hear()
            except OSError:
                return -1
        return self._ended.pop(pid)

    def _hear(self) -> tuple[Any, ...]:
        data = self.socket.recv(4096)
        if not data:
            raise OSError(errno.EPIPE, "the forker is gone")
        message: tuple[Any, ...] = pickle.loads(data)
        if message[0] == "ended":
            self._ended[message[1]] = message[2]
        return message

    def close(self) -> None:
        """End the forker (its children end with it)."""
        self.socket.close()
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def _fork_when_asked(connection: socket.socket) -> None:
    """The forker's life (see :class:`Forker`): a child for each piece of work sent, until its parent is gone."""
    while True:
        try:
            data, fds, _flags, _address = socket.recv_fds(connection, 64, 2)
        except OSError:
            return
        if not data or len(fds) != 2:
            return

        def run(work_fd: int = fds[0], result_fd: int = fds[1]) -> None:
            connection.close()
            with os.fdopen(work_fd, "rb") as work:
                work.seek(0)  # shared with the sender, who left it at the end
                function = _sent(work)
            with os.fdopen(result_fd, "wb") as file:
                _run_and_leave(function, file)

        pid = fork_child(run)
        for fd in fds:
            os.close(fd)
        connection.send(pickle.dumps(("started", pid)))
        _pid, status = os.waitpid(pid, 0)
        connection.send(pickle.dumps(("ended", pid, status)))


_forker: Forker | None = None


def keep_forker() -> None:
    """Fork the forker (see :class:`Forker`) now, while this process is small, for the rest of its
    life; nothing where forking is not possible."""
    global _forker
    if _forker is None and fork_safe() and hasattr(socket, "send_fds"):
        _forker = Forker()


def drop_forker() -> None:
    """End the forker, if this process keeps one."""
    global _forker
    forker, _forker = _forker, None
    if forker is not None:
        forker.close()


@contextmanager
def forker_kept(wanted: bool) -> Iterator[None]:
    """While in the block, keep a forker (see :func:`keep_forker`) when ``wanted`` and this process
    keeps none yet; it ends with the block."""
    if not wanted or _forker is not None:
        yield
        return
    keep_forker()
    try:
        yield
    finally:
        drop_forker()


class Alone(Generic[Result]):
    """Work a forked child of its own does while this process goes on (see :func:`start_alone`)."""

    def __init__(self, function: Callable[[], Result], doing: Message, sent: bool = False) -> None:
        self._function, self._doing = function, doing
        self._pid: int | None = None
        self._file: Any = None
        self._forker: Forker | None = None
        if forkable(1, 1):
            self._start(_forker if sent and _forker is not None and _forker.owner == os.getpid() else None)

    def _start(self, forker: Forker | None) -> None:
        # The child leaves its result in a file and ends: its memory goes as soon as it is done,
        # whenever this process asks for the result.
        self._file = tempfile.TemporaryFile()
        if forker is not None:
            try:
                self._pid, self._forker = forker.start(self._function, self._file), forker
                return
            except (OSError, pickle.PicklingError, TypeError, AttributeError):  # gone, or not to be sent
                pass  # forked from here after all
        give_back_memory()
        self._pid = fork_child(lambda: _run_and_leave(self._function, self._file))

    def _wait(self, pid: int) -> int:
        if self._forker is not None:
            return self._forker.wait(pid)
        return os.waitpid(pid, 0)[1]

    def result(self) -> Result:
        """The work's result, once the child has ended (done here where it could not fork); its
        exception raised here, or WorkerFailed if it died."""
        pid = self._pid
        if pid is None:
            return self._function()
        try:
            status = self._wait(pid)
        except BaseException:  # Ctrl-C here, which the child ignores: it ends with this process's work
            self.cancel()
            raise
        self._pid = None
        try:
            code = os.waitstatus_to_exitcode(status) if status >= 0 else 1
            self._file.seek(0)
            data = self._file.read()
        finally:
            self._file.close()
        if code != 0 or not data:
            _ended(code, self._doing)
        kind, value = pickle.loads(data)
        if kind == "failed":
            failure, text = value
            raise failure from _RemoteTraceback(text)
        result: Result = value
        return result

    def cancel(self) -> None:
        """End the child if it still runs; its result is not wanted."""
        pid, self._pid = self._pid, None
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._wait(pid)
            self._file.close()


def start_alone(function: Callable[[], Result], doing: Message, sent: bool = False) -> Alone[Result]:
    """Start ``function()`` in a forked child of its own, which this process leaves to it; its result
    is :meth:`Alone.result`, and :meth:`Alone.cancel` ends it if it is not wanted.

    For a piece of work that needs much memory for a while and little to keep: what the child
    allocates goes with it, where this process would keep it once freed (the allocator does not
    give it back), and the child starts from this process as it is now, before it grows. It may be
    started from a worker. ``doing`` names the work in errors. Where forking is not possible
    (threads, one job, no fork), the work is done here when its result is asked for.

    ``sent``: ``function`` needs nothing of this process but itself, pickled (a module's function
    and plain values): where this process keeps a forker (see :func:`keep_forker`), the child is
    forked from there.
    """
    return Alone(function, doing, sent)


def run_alone(function: Callable[[], Result], doing: Message, sent: bool = False) -> Result:
    """``function()`` in a forked child of its own, which ends once it has handed back the result
    (see :func:`start_alone`); here where forking is not possible."""
    return start_alone(function, doing, sent).result()


def fork_map(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    least: int,
    doing: Callable[[Item], Message] | None = None,
    kept: Callable[[Result], Result] | None = None,
) -> list[Result]:
    """``[function(item) for item in items]``, on every core when there are at least ``least`` items.

    Forked workers see this process as it is (nothing is pickled but the results), so ``function``
    may be any callable, a closure or a bound method. ``doing(item)`` names an item in errors.
    ``kept(result)`` is kept instead of each result, made here as soon as it comes back (what it
    lets go of then leaves room for the next results, where it would leave holes after all of them).
    """
    if not forkable(len(items), least):
        return [kept(function(item)) if kept else function(item) for item in items]
    chunks = [range(start, min(start + 8, len(items))) for start in range(0, len(items), 8)]
    results: list[Any] = [None] * len(items)

    def work(task: int) -> list[Result]:
        made = []
        for index in chunks[task]:
            working_on(index)
            made.append(function(items[index]))
        return made

    def keep(task: int, made: list[Result]) -> None:
        for index, result in zip(chunks[task], made, strict=True):
            results[index] = kept(result) if kept else result

    def named(index: int) -> Message:
        return doing(items[index]) if doing else _("working on item {number}", number=index + 1)

    run_forked(len(chunks), work, keep, named)
    return results
