"""Compile the translation catalogs (.po -> .mo) whenever the package is built or installed.

The compiled ``.mo`` files are build output: never committed (see .gitignore).
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


def compile_catalogs() -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in Path(__file__).parent.glob("shopadmin/translations/*/LC_MESSAGES/*.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog)


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        compile_catalogs()
        super().run()


if __name__ == "__main__":  # setuptools runs this file as __main__; `make` imports it
    setup(cmdclass={"build_py": BuildWithCatalogs})
