"""Python wrappers over the registry's ops, one module per family. Importing this
package imports every family module; each publishes its functions with `export`."""

import importlib
import pkgutil

for _info in pkgutil.iter_modules(__path__):
    if not _info.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_info.name}")
