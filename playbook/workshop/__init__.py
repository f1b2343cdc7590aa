"""The one-day workshop: student copies of the notebooks and the facilitator's agenda (``make workshop``)."""
