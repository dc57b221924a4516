"""Pictures for a class, drawn from convcalc's own numbers (SVG, no dependency)."""
