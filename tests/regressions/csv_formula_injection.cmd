run csv_formula_injection.kenko csv_formula_injection.csv --format csv --excel-safe --as-of 2026-11-22
