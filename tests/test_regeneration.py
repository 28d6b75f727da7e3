"""Generated formulas are current, deterministic, and free of SymPy at run time."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from derivations.codegen import GENERATED_DIR, regenerate

ROOT = Path(__file__).resolve().parent.parent


def test_generated_files_are_up_to_date():
    out = subprocess.run([sys.executable, "-m", "derivations", "regenerate", "--check"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr


def test_regeneration_is_deterministic(tmp_path):
    regenerate(target=tmp_path)
    for path in tmp_path.glob("*.py"):
        assert path.read_text() == (GENERATED_DIR / path.name).read_text(), path.name


def test_check_mode_detects_a_stale_file(tmp_path):
    regenerate(target=tmp_path)
    victim = next(tmp_path.glob("*.py"))
    victim.write_text(victim.read_text().replace("return", "return -", 1))
    assert victim.stem in regenerate(check=True, target=tmp_path)


def test_numerics_never_import_sympy():
    code = ("import sys, importlib, pkgutil, numerics\n"
            "for m in pkgutil.walk_packages(numerics.__path__, 'numerics.'): importlib.import_module(m.name)\n"
            "print('sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.stdout.strip() == "False", out.stderr
