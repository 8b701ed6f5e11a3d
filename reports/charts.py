"""Simple horizontal bar charts, drawn as SVG on the server (no JavaScript), always shown
beside the table that holds the same figures.

Each bar's label sits above it and its value after it, so long category names never need
cutting. The bar colour is the council's brand green (#00625e: 7.2:1 against white) and the
text is GOV.UK black, both well above the 3:1 WCAG asks of graphics.
"""

from dataclasses import dataclass

WIDTH = 400
ROW = 34
BAR_HEIGHT = 12
VALUE_ROOM = 96  # room after the longest bar for its value ("fewer than 5")
BAR_COLOUR = "#00625e"
TEXT_COLOUR = "#0b0c0c"


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    label_y: int
    bar_y: int
    width: float
    value_x: float
    value_y: int


@dataclass(frozen=True)
class BarChart:
    key: str
    title: str
    desc: str
    bars: tuple
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT
    bar_colour: str = BAR_COLOUR
    text_colour: str = TEXT_COLOUR

    @property
    def height(self):
        return len(self.bars) * ROW + 4


def bar_chart(key, title, items):
    """`items` are (label, value, value_text); a value of None (a suppressed small number)
    draws no bar but still shows its text."""
    biggest = max((value for _, value, _ in items if value), default=0)
    scale = (WIDTH - VALUE_ROOM) / biggest if biggest else 0
    bars = []
    for index, (label, value, text) in enumerate(items):
        top = index * ROW
        width = round(value * scale, 1) if value else 0
        if value:
            width = max(width, 2)  # a count of 1 beside a count of 500 stays visible
        bars.append(
            Bar(
                label=label,
                value_text=text,
                label_y=top + 13,
                bar_y=top + 17,
                width=width,
                value_x=round(width + 6, 1),
                value_y=top + 27,
            )
        )
    listed = "; ".join(f"{label}: {text}" for label, _, text in items)
    return BarChart(
        key=key,
        title=title,
        desc=f"Bar chart of the figures in the table beside it. {listed}.",
        bars=tuple(bars),
    )
