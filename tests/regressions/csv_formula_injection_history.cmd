history csv_formula_injection.kenko csv_formula_injection-2026-11-22.csv --format csv --excel-safe
