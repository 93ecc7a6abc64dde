"""Put the message catalogs into the wheel compiled, as sitegen would keep them (see sitegen.i18n.translations).

A wheel's sitegen then never compiles them, nor writes beside them in the folder it is installed in
(which its users may not be able to write). An editable install works from the checkout, where they
are compiled and kept when first needed.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompiledCatalogs(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        # sitegen.i18n needs only the standard library and Babel: loaded from its file, not as part of
        # the package (whose other modules need what is not installed where wheels are built).
        spec = importlib.util.spec_from_file_location("_sitegen_i18n", root / "sitegen" / "i18n.py")
        assert spec is not None and spec.loader is not None
        i18n = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(i18n)
        self._folder = Path(tempfile.mkdtemp(prefix="sitegen-catalogs-"))
        for po in sorted((root / "sitegen" / "locale").glob(f"*/LC_MESSAGES/{i18n.DOMAIN}.po")):
            lang, source = po.parent.parent.name, po.read_bytes()
            compiled = self._folder / lang / i18n.compiled_name(source)
            compiled.parent.mkdir()
            compiled.write_bytes(i18n.compiled_catalog(source, lang))
            build_data["force_include"][str(compiled)] = f"sitegen/locale/{lang}/LC_MESSAGES/{compiled.name}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        folder = getattr(self, "_folder", None)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
