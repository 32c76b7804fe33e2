"""Home cards of the contract: for the coordinator, the board and the funders."""


def ready():
    pass
