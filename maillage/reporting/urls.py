from .views import budget, contract, funding, missions, proofs, report

app_name = "reporting"

# Each area lists its pages in its own views module; every page of the contract lives
# under c/<cpts_slug>/contrat/.
urlpatterns = [
    *contract.urls,
    *missions.urls,
    *funding.urls,
    *proofs.urls,
    *report.urls,
    *budget.urls,
]
