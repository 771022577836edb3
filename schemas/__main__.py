"""Print the data dictionary (README section) derived from the table declarations."""
from schemas.tables import TABLES


def data_dictionary() -> str:
    return "\n\n".join(table.markdown() for table in TABLES.values())


if __name__ == "__main__":
    print(data_dictionary())
