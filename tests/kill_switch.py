"""Run sitegen and kill it with SIGKILL at its Nth file operation in a folder: fault injection for tests.

    python tests/kill_switch.py ROOT N sitegen-arguments…

Counts the file operations the process makes below ROOT (opening, renaming, removing, linking,
making and listing folders, and the system calls made through ctypes, such as the swap of two
folders), plus starting programs, and kills itself with SIGKILL just before the Nth. With N = 0 it
kills nothing and prints the count as its last line on stderr (``operations: N``). Only the process started counts:
forked workers run on and end with it.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
from typing import Any

EVENTS = {
    "open",
    "os.rename",
    "os.remove",
    "os.rmdir",
    "os.mkdir",
    "os.link",
    "os.scandir",
    "os.listdir",
    "shutil.rmtree",
    "shutil.copyfile",
    "subprocess.Popen",
    "ctypes.call_function",
}


def _mentions(value: Any, root: str, depth: int = 0) -> bool:
    if isinstance(value, (str, bytes, os.PathLike)):
        text = os.fsdecode(value)
        return text.startswith(root)
    if isinstance(value, (tuple, list)) and depth < 3:
        return any(_mentions(item, root, depth + 1) for item in value)
    return False


def main() -> None:
    root, target = os.path.realpath(sys.argv[1]), int(sys.argv[2])
    sys.argv = ["sitegen", *sys.argv[3:]]
    owner, seen = os.getpid(), 0

    def hook(event: str, args: tuple[Any, ...]) -> None:
        nonlocal seen
        if event not in EVENTS or os.getpid() != owner:
            return
        if event != "subprocess.Popen" and not _mentions(args, root):
            return
        seen += 1
        if seen == target:
            os.kill(owner, signal.SIGKILL)

    sys.addaudithook(hook)
    try:
        runpy.run_module("sitegen", run_name="__main__", alter_sys=True)
    finally:
        if target == 0 and os.getpid() == owner:
            print(f"operations: {seen}", file=sys.stderr)


if __name__ == "__main__":
    main()
