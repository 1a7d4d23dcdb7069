"""``shopadmin orders ...``: the state machine diagram, the daily preorder release, quote expiry."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from shopadmin.core.cli import now_option
from shopadmin.orders import statemachine as sm

orders_cli = click.Group("orders", help="Orders: state machine docs and scheduled work.")

DOC_HEADER = """# The order and delivery state machines

Generated from `shopadmin/orders/statemachine.py` by `shopadmin orders diagram`; do not edit
by hand (a test fails when this file and the tables disagree).

Each row: on *event*, from a state in *from*, go to *to*, if the routing condition
*when* holds and every guard passes (a failing guard refuses the event with the reason in
brackets), for a caller whose role allows *who* on the order's shop (`system`: fired by the
platform: payment callbacks, shipments, stock arrival, release dates). The API's
`"actions"` and the screen's buttons come from the same tables; refusals say why:
`state`, `role`, `system_only`, or the guard's reason (`unpaid`, `blocked`, `no_stock`,
`suspended`, ...). `POST /api/v1/orders/{id}/events` with `"dry_run": true` lists the
effects without doing them.

Suspension and blocks are flags, not states: a suspended order keeps its state and
nothing moves until it is resumed; while a block is active no delivery is packed or
shipped, and the order can still be edited.

Search box prefixes on the order list: `#` order number (prefix), `@` customer email,
`&` SKU on a line, `!` SKU held in a stock reservation; anything else matches the
number, the customer's name or email, or the ship-to name.
"""


def render() -> str:
    parts = [
        DOC_HEADER,
        "## Orders\n",
        "```mermaid\n" + sm.mermaid(sm.ORDER_TABLE, (sm.CART, sm.QUOTE, sm.PENDING), sm.FINAL_ORDER_STATES)
        + "```\n",
        sm.markdown_table(sm.ORDER_TABLE),
        "## Deliveries\n",
        "Deliveries are split by group (`standard`, `backorder`, `preorder`, `digital`) unless the order "
        "ships together (one delivery, in the slowest group).\n",
        "```mermaid\n" + sm.mermaid(sm.DELIVERY_TABLE, (sm.D_RESERVED, sm.D_WAIT_DATE, sm.D_WAIT_INVENTORY),
                                    (sm.D_SHIPPED, sm.D_VOIDED)) + "```\n",
        sm.markdown_table(sm.DELIVERY_TABLE),
    ]
    return "\n".join(parts)


DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "state-machine.md"


@orders_cli.command("diagram")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=DOC_PATH, show_default=True)
def diagram_command(output: Path) -> None:
    """Write the Mermaid diagrams and tables of both state machines."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(), encoding="utf-8")
    click.echo(f"Wrote {output}")


@orders_cli.command("release-preorders")
@with_appcontext
def release_preorders_command() -> None:
    """Move preorder deliveries whose release date came (run daily)."""
    from shopadmin.core.access import system_access
    from shopadmin.core.db import unit_of_work
    from shopadmin.orders import services

    access = system_access("preorders")
    with unit_of_work(access):
        moved = services.release_preorders(access)
    click.echo(f"Released {moved} deliveries.")


@orders_cli.command("expire-quotes")
@now_option("Judge validity as of this moment (with an offset), instead of the current time.")
@with_appcontext
def expire_quotes_command(now: datetime | None) -> None:
    """Cancel quotes whose valid-until date has passed (the periodic job does this with Redis)."""
    from shopadmin.core.access import system_access
    from shopadmin.core.db import unit_of_work
    from shopadmin.orders import expiry

    access = system_access("quote-expiry")
    with unit_of_work(access):
        report = expiry.expire_quotes(access, now=now)
    click.echo(report.summary())
