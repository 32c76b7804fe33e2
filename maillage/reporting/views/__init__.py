"""Pages of the contract, one module per area, each listing its pages in `urls`."""

from django.shortcuts import render


def placeholder(request, title: str):
    return render(request, "reporting/placeholder.html", {"title": title})
