"""``flask academy lake build`` and ``lake check``: make the sample lake and verify it."""

from __future__ import annotations

import time

import click

from app.lake.location import lake_dir
from app.lake.pipeline.build import build_lake, step_names
from app.lake.pipeline.check import check_lake
from app.lake.pipeline.publish import LakeError


@click.group("lake")
def lake_group() -> None:
    """Build and check the sample data lake."""


@lake_group.command("build")
@click.option("--scale", type=click.IntRange(min=1), default=1, show_default=True,
              help="How big: every dataset grows in proportion.")  # fmt: skip
@click.option("--seed", type=int, default=42, show_default=True,
              help="The same seed and scale always build the same data.")  # fmt: skip
def build_command(scale: int, seed: int) -> None:
    """Generate the lake from scratch and swap it in; the old lake stays if anything fails."""
    target = lake_dir()
    started = time.perf_counter()
    steps = step_names(seed)
    with click.progressbar(
        length=len(steps), label="Building the lake", item_show_func=lambda step: step
    ) as bar:
        try:
            result = build_lake(target, seed=seed, scale=scale, progress=lambda s: bar.update(1, s))
        except LakeError as error:
            raise click.ClickException(str(error)) from None
    elapsed = time.perf_counter() - started
    click.echo(f"built {target} (seed {seed}, scale {scale}) in {elapsed:.1f}s")
    click.echo(f"files in {result.build}")
    width = max(len(name) for name in result.row_counts)
    for name, count in result.row_counts.items():
        click.echo(f"  {name:<{width}}  {count:>10,}")


@lake_group.command("check")
def check_command() -> None:
    """Check every promise the catalogue makes about the built lake; list what fails."""
    target = lake_dir()
    failures = check_lake(target)
    for failure in failures:
        click.secho(str(failure), fg="red", err=True)
    if failures:
        raise click.ClickException(f"{len(failures)} check(s) failed for {target}")
    click.echo(f"all checks hold for {target}")
