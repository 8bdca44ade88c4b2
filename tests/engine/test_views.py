import numpy as np
import polars as pl

from accord.engine.views import string_views

LONG = "a text longer than twelve bytes"


def _texts(column: pl.Series) -> list[str | None]:
    """The texts back from the views alone, as a kernel reads them."""
    views = string_views(column)
    assert views is not None
    texts: list[str | None] = []
    for i in range(len(views.views) // 2):
        if len(views.valid) and not views.valid[i]:
            texts.append(None)
            continue
        first, second = int(views.views[2 * i]), int(views.views[2 * i + 1])
        length = first & 0xFFFF_FFFF
        if length <= 12:
            raw = (first >> 32).to_bytes(4, "little") + second.to_bytes(8, "little")
            assert raw[length:] == bytes(12 - length)  # padded with zero bytes
            texts.append(raw[:length].decode())
        else:
            at = int(views.starts[second & 0xFFFF_FFFF]) + (second >> 32)
            texts.append(views.data[at:at + length].tobytes().decode())
    return texts


def test_views_give_back_every_text_short_or_long_and_the_empty_cells() -> None:
    values = ["", "abc", "exactly12byt", "thirteen byte", LONG, None, "ü"]
    assert _texts(pl.Series(values)) == values


def test_views_of_a_slice_of_a_column_of_several_chunks() -> None:
    column = pl.concat([pl.Series(["x", LONG]), pl.Series(["y", LONG + "!", None])],
                       rechunk=False)
    assert column.n_chunks() == 2
    assert _texts(column.slice(1, 4)) == [LONG, "y", LONG + "!", None]


def test_views_are_read_only_and_none_for_another_type() -> None:
    views = string_views(pl.Series(["a", None]))
    assert views is not None
    assert not views.views.flags.writeable
    assert not views.valid.flags.writeable
    assert views.valid.tolist() == [True, False]
    assert string_views(pl.Series([1, 2])) is None
    empty = string_views(pl.Series([], dtype=pl.String))
    assert empty is not None
    assert len(empty.views) == 0
    assert empty.views.dtype == np.uint64
