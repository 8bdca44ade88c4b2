"""Reading and writing the data tables: CSV, JSON Lines and Parquet (DESIGN.md §4).

    read_tables(directory)      every table of a data directory, as ``Tables``
    read_table(path, table)     one file, as a ``TableRead``: good rows and problems
    write_table(frame, path)    one frame to a file, the format by its suffix
"""

from accord.io.tables import TableRead, read_table, read_tables
from accord.io.writer import write_table

__all__ = ["TableRead", "read_table", "read_tables", "write_table"]
