"""Pure transformation steps of newsetl: bytes and DataFrames in, DataFrames out.

Nothing here imports Prefect or knows the raw/warehouse layout.
"""
