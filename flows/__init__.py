"""Prefect flows of newsetl: they sequence the steps and own all I/O."""
