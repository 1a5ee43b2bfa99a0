"""Fill Solara's CDN cache from the npm registry, so the dashboard works offline.

Solara's page loads its JavaScript through the server's own proxy
(``/_solara/cdn/<package>@<version>/<path>``), which serves files from a cache
folder and otherwise downloads them from a public CDN. Machines that reach only
package registries cannot download them, and the page stays blank. This
script reads which package versions the installed solara asks for, fetches
each with ``npm pack`` and unpacks it into the cache folder. It is idempotent:
packages already in the cache are skipped.

    python -m sim.classroom.fill_solara_cdn
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# The npm packages a Solara page with ipyvuetify 1.x and a plot grid asks for.
PACKAGES = (
    "@widgetti/solara-vuetify-app",
    "requirejs",
    "font-awesome",
    "@widgetti/vue-grid-layout",
)


def referenced_versions(solara_root: Path, fontawesome_path: str) -> dict[str, str]:
    """{package: version} as written in the installed solara's page template and widgets."""
    sources = [solara_root / "server" / "templates" / "solara.html.j2", *sorted((solara_root / "widgets" / "vue").glob("*.vue"))]
    text = "\n".join(path.read_text(encoding="utf-8") for path in sources) + "\n" + fontawesome_path
    versions = {}
    for package in PACKAGES:
        found = set(re.findall(re.escape(package) + r"@([0-9][^/\"'`\s]*)/", text))
        if len(found) != 1:
            raise SystemExit(f"fill_solara_cdn: expected one version of {package} in solara's files, found {sorted(found)}")
        versions[package] = found.pop()
    return versions


def unpack_from_npm(package: str, version: str, target: Path) -> None:
    """``npm pack`` the release and unpack its ``package/`` folder into ``target``."""
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(
            ["npm", "pack", f"{package}@{version}", "--pack-destination", scratch, "--silent"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (tarball,) = Path(scratch).glob("*.tgz")
        with tarfile.open(tarball) as archive:
            archive.extractall(scratch, filter="data")
        unpacked = Path(scratch) / "package"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(unpacked, target)


def main() -> None:
    import solara
    from solara.server import settings

    if shutil.which("npm") is None:
        raise SystemExit("fill_solara_cdn: npm is not installed (Debian: apt-get install npm)")
    cache = Path(settings.assets.proxy_cache_dir)
    versions = referenced_versions(Path(solara.__file__).parent, settings.assets.fontawesome_path)
    for package, version in versions.items():
        target = cache / f"{package}@{version}"
        if (target / "package.json").exists():
            continue
        print(f"fill_solara_cdn: fetching {package}@{version} into {cache}", file=sys.stderr)
        unpack_from_npm(package, version, target)


if __name__ == "__main__":
    main()
