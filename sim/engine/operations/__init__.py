"""Operations: the order book, crews on shifts, picking and carriers, stock and restocking."""
