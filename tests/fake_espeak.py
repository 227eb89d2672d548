"""A stand-in for espeak-ng: an executable that records what it was asked to say."""

from __future__ import annotations

import stat
import sys
from pathlib import Path


def stand_in(tmp_path: Path, *, sleep: float = 0.0, exit_code: int = 0) -> tuple[str, Path]:
    """An executable that records its arguments and standard input, like espeak-ng would
    receive them, then sleeps and exits with `exit_code`."""
    out = tmp_path / "spoken"
    script = tmp_path / "fake-espeak"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys, time, json\n"
        "text = sys.stdin.buffer.read().decode('utf-8')\n"
        f"open({str(out)!r}, 'w', encoding='utf-8').write("
        "json.dumps({'argv': sys.argv[1:], 'text': text}))\n"
        f"time.sleep({sleep})\n"
        f"sys.exit({exit_code})\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script), out
