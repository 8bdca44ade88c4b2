import accord.io


def test_the_public_surface_is_the_curated_one() -> None:
    assert sorted(accord.io.__all__) == ["TableRead", "read_table", "read_tables", "write_table"]
    assert all(hasattr(accord.io, name) for name in accord.io.__all__)
