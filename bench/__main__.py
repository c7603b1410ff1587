"""Run every benchmark: python -m bench [name ...]. One row each: value, floor, ratio, target."""

import importlib
import pkgutil
import sys

import bench


def main(selected: list[str]) -> None:
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    if selected:
        names = [n for n in names if n.removeprefix("bench_") in selected or n in selected]
    print(f"{'benchmark':<52} {'value':>12} {'floor':>12} {'ratio':>7}  target")
    for name in names:
        for row in importlib.import_module(f"bench.{name}").run():
            print(
                f"{row.name:<52} {row.value:>9.3f} {row.unit:<2} {row.floor:>9.3f} {row.unit:<2}"
                f" {row.ratio:>6.2f}×  {row.target}"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
