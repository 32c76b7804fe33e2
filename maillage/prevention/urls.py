from .views import checkin, followup, indicators, programme, public, screening, vaccination

app_name = "prevention"

# Each area lists its pages in its own views module; pages of a CPTS live under
# c/<cpts_slug>/prevention/, the public pages under prevention/<cpts_slug>/.
urlpatterns = [
    *programme.urls,
    *screening.urls,
    *followup.urls,
    *public.urls,
    *checkin.urls,
    *vaccination.urls,
    *indicators.urls,
]
