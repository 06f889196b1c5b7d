"""The ``hopfield-sim`` command line.

Each sub-command lives in its own module under :mod:`hopfield_sim.commands`, which exposes
``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``. Modules are
imported only when their command runs, so ``hopfield-sim --version`` stays fast.

User mistakes (bad parameters, missing files) are reported on stderr as one line with a
non-zero exit code; a traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from hopfield_sim._version import __version__

#: sub-command name -> module under hopfield_sim.commands
COMMANDS: dict[str, str] = {
    "info": "info",
    "demo": "demo",
    "sweep": "sweep",
    "plot": "plot",
    "theory": "theory",
    "tabular": "tabular",
}

#: exit code for a user mistake (argparse uses the same)
EXIT_USAGE = 2


def _load(name: str):
    return importlib.import_module(f"hopfield_sim.commands.{COMMANDS[name]}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; ``only`` imports a single sub-command module (faster start-up)."""
    parser = argparse.ArgumentParser(
        prog="hopfield-sim",
        description="Theory and Monte Carlo of Hebbian associative memories.",
    )
    parser.add_argument("--version", action="version", version=f"hopfield-sim {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show full tracebacks instead of one-line errors"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if only is not None and name != only:
            sub.add_parser(name)
            continue
        try:
            module = _load(name)
        except ModuleNotFoundError as exc:
            if exc.name != f"hopfield_sim.commands.{COMMANDS[name]}":
                raise
            continue  # command not provided by this version of the package
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    from hopfield_sim import _cache

    _cache.enable()  # persistent JAX / Numba compilation caches in a user cache folder
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(only=command if command in COMMANDS else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if not hasattr(args, "_run"):
        print(f"hopfield-sim: error: command {args.command!r} is not available", file=sys.stderr)
        return EXIT_USAGE
    try:
        return int(args._run(args) or 0)
    except (ValueError, TypeError, FileNotFoundError, KeyError, OSError, MemoryError,
            ImportError) as exc:  # fmt: skip
        if args.debug:
            raise
        print(f"hopfield-sim {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        note = getattr(args, "_interrupt_note", "")
        print(f"hopfield-sim {args.command}: interrupted{note}", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: still one line unless --debug
        if args.debug:
            raise
        print(
            f"hopfield-sim {args.command}: unexpected error: {type(exc).__name__}: "
            f"{_one_line(exc)} (rerun with --debug for the traceback)",
            file=sys.stderr,
        )
        return 1


def _one_line(exc: BaseException) -> str:
    """The exception's message on one line (KeyError quotes its key; MemoryError may be
    empty)."""
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    text = " ".join(text.split())
    return text or type(exc).__name__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
