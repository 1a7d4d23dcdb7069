"""Data exchange: CSV and JSON import of customers, products, stock and orders (dry run,
all or nothing per file), and export of orders and customers."""
