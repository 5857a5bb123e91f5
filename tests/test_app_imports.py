"""The app's pages are built without the model's libraries: LightGBM and scikit-learn take seconds to
import and are loaded once the first page is up (desktop.window), so the window shows the client list sooner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CREATE_APP = """
import sys, tempfile
from pathlib import Path
from desktop.app import create_app
from desktop.context import AppContext
create_app(AppContext(Path(tempfile.mkdtemp()), Path(sys.argv[1]) / "resources" / "model", "token"))
print(" ".join(sorted(name for name in ("lightgbm", "sklearn", "shap", "evidently") if name in sys.modules)))
"""


def test_creating_the_app_imports_no_model_library():
    done = subprocess.run([sys.executable, "-c", CREATE_APP, str(ROOT)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"imported with the pages: {done.stdout.strip()}"
