"""Calibration to a firm's own figures: a posterior over how its customers behave (MODEL.md §8, issue 19).

    priors       the calibrated parameters and their prior ranges, read from the schema
    observed     a firm's observed figures (configs/observed/*.yaml), checked before any work
    bank         simulations drawn from the prior, stored as versioned Parquet chunks
    inference    the posterior from the bank: regression ABC (default) or neural (flowjax)
    outputs      posterior.parquet, the pair plot, the predictive check, report.md
    validation   coverage, SBC ranks, contraction and recovery over synthetic firms
    cli          servsim-calibrate (Hydra) and the run that ties them together
"""
