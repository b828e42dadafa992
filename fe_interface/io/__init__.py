"""Files: atomic writes, fields for ParaView, summaries, time series, checkpoints."""
