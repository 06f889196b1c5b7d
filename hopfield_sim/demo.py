"""The demo: a small theory-vs-simulation phase diagram written to HDF5 and PNG."""

from __future__ import annotations

from pathlib import Path


def run_demo(out: Path, *, quick: bool = False, progress: bool = True) -> list[Path]:
    """Run the demo into folder ``out`` and return the paths it wrote.

    Parameters
    ----------
    out : Path
        Output folder, created if missing.
    quick : bool
        Use reduced sizes (seconds instead of minutes), as the test suite does.
    progress : bool
        Show progress bars.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    from hopfield_sim import info

    report = out / "environment.txt"
    report.write_text(info.report() + "\n")
    print("hopfield-sim demo: theory and simulation parts are not installed yet;")
    print("ran: the environment report only.")
    return [report]
