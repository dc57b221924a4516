"""The shape engine: evaluate (expressions and bounded arithmetic), walk (the Walker and its
backend protocol), analysis (rows and totals), shapes (the shape backend and ``analyse``)."""
