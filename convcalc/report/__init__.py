"""The only place that formats results: common (numbers, shapes, tables, JSON), then one module
per command: shapes (shapes and params), metrics (shapes --columns and rf), inputs, verify; and
progress (a bar on a terminal for long work)."""
