"""`ordna generate --scale N [--seed S]`: reproducible volumes of data on top of the demo."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ordna.demo import generate


def _scale(value: str) -> float:
    scale = float(value)
    if not scale > 0:
        raise ValueError(value)
    return scale


class Command(BaseCommand):
    help = (
        "Fill the database with generated data on top of the Borås demo (loaded when "
        "missing): scale 1 is about one Borås year, 10 about ten years. The same seed "
        "gives the same data; running again with the same scale and seed adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=_scale, required=True, help="Years of data, e.g. 0.1, 1 or 10."
        )
        parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)

    def handle(self, *args, **options):
        if settings.HTTPS:
            raise CommandError(
                "This looks like a production installation (HTTPS=true): generated data "
                "comes with the demo accounts (password 'demo'). Use a database of its own."
            )
        try:
            result = generate.generate(scale=options["scale"], seed=options["seed"])
        except generate.GenerateConflict as exc:
            raise CommandError(str(exc)) from None
        if options["verbosity"] == 0:
            return
        what = f"scale {result.scale:g}, seed {result.seed}"
        if not result.ran:
            self.stdout.write(f"Generated data ({what}) already in place; nothing changed.")
        else:
            self.stdout.write(
                f"Generated {', '.join(result.ran)} ({what}) in {result.seconds:.1f} s."
            )
        totals = generate.totals()
        self.stdout.write(f"  {'':<15}{'created':>10}{'in database':>14}")
        for key, total in totals.items():
            self.stdout.write(f"  {key:<15}{result.created.get(key, 0):>10}{total:>14}")
