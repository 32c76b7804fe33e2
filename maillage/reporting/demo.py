"""The demo CPTS's contract: signed on the CPTS's ACI date, built from the shipped
year-5 example, missions started, payments received, a few CPAM figures and proofs."""


def build_demo_reporting(*, today=None) -> None:
    pass
