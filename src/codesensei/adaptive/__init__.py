"""Adaptive testing: IRT models, ability estimation, item selection, calibration and simulation."""
