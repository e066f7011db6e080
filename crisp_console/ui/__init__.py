"""Everything that imports PySide6 (with app.py)."""
